using System.Text.Json;
using System.Text.Json.Serialization;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Serialization;

namespace Loopwire.Protocol.Requests;

/// <summary>The WebSocket client event <c>response.steer</c>: new user input for a response that is running on this connection.</summary>
public sealed record SteerRequest
{
    /// <summary>The response to steer (active on this connection).</summary>
    public string? PreviousResponseId { get; init; }

    /// <summary>A string or a non-empty array of user messages.</summary>
    [JsonConverter(typeof(InputConverter))]
    public IReadOnlyList<ResponseItem>? Input { get; init; }

    /// <summary>Other top-level keys (<c>type</c>, and any a steer must not carry such as <c>stream_id</c>).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
