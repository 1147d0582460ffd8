using System.Text.Json.Serialization;

namespace Loopwire.Protocol.Items;

/// <summary>
/// A compaction item: the context before it, compacted into an opaque <see cref="EncryptedContent"/>. Output of
/// <c>POST /v1/responses/compact</c>, of a <c>compaction_trigger</c> and of automatic compaction; accepted as input.
/// </summary>
/// <remarks>
/// Loopwire's own compaction items carry a sealed envelope (authenticated encryption with a server key): a client can
/// neither read nor forge it. Items from a Responses upstream are the upstream's and pass through unchanged.
/// </remarks>
public sealed record CompactionItem : ResponseItem
{
    /// <inheritdoc />
    [JsonPropertyOrder(-10)]
    public override string Type => "compaction";

    /// <summary>The opaque compacted context.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required string EncryptedContent { get; init; }

    /// <summary>Who produced the item (a model or server name), when known.</summary>
    public string? CreatedBy { get; init; }

    /// <summary>
    /// The compacted context as the server recovered it from <see cref="EncryptedContent"/>; never written to the wire.
    /// Null until the server opened it, and for items that pass through to an upstream.
    /// </summary>
    [JsonIgnore]
    public string? Opened { get; init; }
}

/// <summary>
/// <c>{"type":"compaction_trigger"}</c>: the final input item of a create that asks for the context to be compacted; the
/// response's output is then exactly one <see cref="CompactionItem"/>.
/// </summary>
public sealed record CompactionTriggerItem : ResponseItem
{
    /// <inheritdoc />
    [JsonPropertyOrder(-10)]
    public override string Type => "compaction_trigger";
}
