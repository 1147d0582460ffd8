namespace Loopwire.Client;

/// <summary>Authentication and extra headers shared by the HTTP and WebSocket clients.</summary>
public class ResponsesClientOptions
{
    /// <summary>Sent as <c>Authorization: Bearer KEY</c> when set. <value>null (no auth header)</value></summary>
    public string? ApiKey { get; set; }

    /// <summary>Extra request headers (e.g. <c>OpenAI-Beta</c>, <c>session_id</c>). <value>empty</value></summary>
    public IDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}
