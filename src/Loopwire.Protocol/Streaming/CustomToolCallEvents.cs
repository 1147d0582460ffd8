using System.Text.Json.Serialization;

namespace Loopwire.Protocol.Streaming;

/// <summary><c>response.custom_tool_call_input.delta</c>: a fragment of a custom tool call's free-form input.</summary>
public sealed record CustomToolCallInputDeltaEvent : ResponseEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.custom_tool_call_input.delta";

    /// <summary>The custom_tool_call item id.</summary>
    public required string ItemId { get; init; }

    /// <summary>Index in <c>output</c>.</summary>
    public int OutputIndex { get; init; }

    /// <summary>A fragment of the input; the fragments concatenated are the <c>.done</c> event's input.</summary>
    public required string Delta { get; init; }
}

/// <summary><c>response.custom_tool_call_input.done</c>: the whole input, equal to the concatenated deltas and to the item's <c>input</c>.</summary>
public sealed record CustomToolCallInputDoneEvent : ResponseEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.custom_tool_call_input.done";

    /// <summary>The custom_tool_call item id.</summary>
    public required string ItemId { get; init; }

    /// <summary>Index in <c>output</c>.</summary>
    public int OutputIndex { get; init; }

    /// <summary>The whole input.</summary>
    public required string Input { get; init; }
}
