using System.Text.Json;
using System.Text.Json.Serialization;

namespace Loopwire.Protocol.Requests;

/// <summary>One entry of <c>context_management</c> on create: <c>{"type":"compaction","compact_threshold":N}</c>.</summary>
public sealed record ContextManagementEntry
{
    /// <summary>The only supported type: <c>compaction</c>.</summary>
    [JsonPropertyOrder(-10)]
    public string? Type { get; init; }

    /// <summary>
    /// Compact when the rendered context exceeds this many tokens. <value>Null: 80% of the model's context window.</value>
    /// </summary>
    public int? CompactThreshold { get; init; }

    /// <summary>Other properties, written back unchanged.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
