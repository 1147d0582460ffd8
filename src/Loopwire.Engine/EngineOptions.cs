namespace Loopwire.Engine;

/// <summary>Engine limits and behaviour.</summary>
public sealed class EngineOptions
{
    /// <summary>The largest context, in tokens, a request may reach. <value>1,000,000.</value></summary>
    public int MaxContextTokens { get; set; } = 1_000_000;

    /// <summary>The most input items one request may carry. <value>10,000.</value></summary>
    public int MaxItemsPerRequest { get; set; } = 10_000;

    /// <summary>
    /// Whether spans and the request-duration metric carry the caller's tenant (<c>loopwire.tenant</c>). Off, a tenant's
    /// name never leaves the server through telemetry. <value>false.</value>
    /// </summary>
    public bool RecordTenant { get; set; }
}
