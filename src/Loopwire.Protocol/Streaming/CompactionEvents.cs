namespace Loopwire.Protocol.Streaming;

/// <summary>
/// <c>response.compaction.compacting</c>: the server is compacting the context of this response (automatic compaction);
/// the <c>compaction</c> item follows as <c>response.output_item.done</c>. It carries no content.
/// </summary>
public sealed record CompactionCompactingEvent : ResponseEvent
{
    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override string EventType => "response.compaction.compacting";

    /// <summary>The id of the compaction item being produced.</summary>
    public required string ItemId { get; init; }

    /// <summary>Its index in the output.</summary>
    public int OutputIndex { get; init; }
}
