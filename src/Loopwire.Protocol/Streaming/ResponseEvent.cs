using System.Text.Json;
using System.Text.Json.Serialization;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;

namespace Loopwire.Protocol.Streaming;

/// <summary>A streaming event; the same JSON goes out as an SSE <c>data:</c> line or a WebSocket text frame.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ResponseCreatedEvent), "response.created")]
[JsonDerivedType(typeof(ResponseInProgressEvent), "response.in_progress")]
[JsonDerivedType(typeof(ResponseQueuedEvent), "response.queued")]
[JsonDerivedType(typeof(ResponseCompletedEvent), "response.completed")]
[JsonDerivedType(typeof(ResponseIncompleteEvent), "response.incomplete")]
[JsonDerivedType(typeof(ResponseFailedEvent), "response.failed")]
[JsonDerivedType(typeof(OutputItemAddedEvent), "response.output_item.added")]
[JsonDerivedType(typeof(OutputItemDoneEvent), "response.output_item.done")]
[JsonDerivedType(typeof(ContentPartAddedEvent), "response.content_part.added")]
[JsonDerivedType(typeof(ContentPartDoneEvent), "response.content_part.done")]
[JsonDerivedType(typeof(OutputTextDeltaEvent), "response.output_text.delta")]
[JsonDerivedType(typeof(OutputTextDoneEvent), "response.output_text.done")]
[JsonDerivedType(typeof(FunctionCallArgumentsDeltaEvent), "response.function_call_arguments.delta")]
[JsonDerivedType(typeof(FunctionCallArgumentsDoneEvent), "response.function_call_arguments.done")]
[JsonDerivedType(typeof(CustomToolCallInputDeltaEvent), "response.custom_tool_call_input.delta")]
[JsonDerivedType(typeof(CustomToolCallInputDoneEvent), "response.custom_tool_call_input.done")]
[JsonDerivedType(typeof(ReasoningSummaryPartAddedEvent), "response.reasoning_summary_part.added")]
[JsonDerivedType(typeof(ReasoningSummaryPartDoneEvent), "response.reasoning_summary_part.done")]
[JsonDerivedType(typeof(ReasoningSummaryTextDeltaEvent), "response.reasoning_summary_text.delta")]
[JsonDerivedType(typeof(ReasoningSummaryTextDoneEvent), "response.reasoning_summary_text.done")]
[JsonDerivedType(typeof(RefusalDeltaEvent), "response.refusal.delta")]
[JsonDerivedType(typeof(RefusalDoneEvent), "response.refusal.done")]
[JsonDerivedType(typeof(ReasoningTextDeltaEvent), "response.reasoning_text.delta")]
[JsonDerivedType(typeof(ReasoningTextDoneEvent), "response.reasoning_text.done")]
[JsonDerivedType(typeof(ErrorEvent), "error")]
[JsonDerivedType(typeof(CompactionCompactingEvent), "response.compaction.compacting")]
[JsonDerivedType(typeof(SteerAcceptedEvent), "response.steer.accepted")]
[JsonDerivedType(typeof(SteerPendingEvent), "response.steer.pending")]
[JsonDerivedType(typeof(SteerFailedEvent), "response.steer.failed")]
[JsonDerivedType(typeof(InterruptAcceptedEvent), "response.interrupt.accepted")]
public abstract record ResponseEvent
{
    /// <summary>The event's <c>type</c> (also the SSE <c>event:</c> name).</summary>
    [JsonIgnore]
    public abstract string EventType { get; }

    /// <summary>Starts at 0 and grows by one per event of a response stream.</summary>
    public int SequenceNumber { get; init; }

    /// <summary>WebSocket mode: the lane (<c>stream_id</c>) the event belongs to; absent on the default lane and over HTTP.</summary>
    public string? StreamId { get; init; }

    /// <summary>Unknown fields (client side).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>True for the events that end a response stream.</summary>
    [JsonIgnore]
    public virtual bool IsTerminal => false;
}

/// <summary>An event that carries the whole response object.</summary>
public abstract record ResponseLifecycleEvent : ResponseEvent
{
    /// <summary>The response object at this point.</summary>
    public required ResponseObject Response { get; init; }
}

/// <summary><c>response.created</c></summary>
public sealed record ResponseCreatedEvent : ResponseLifecycleEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.created";
}

/// <summary><c>response.in_progress</c></summary>
public sealed record ResponseInProgressEvent : ResponseLifecycleEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.in_progress";
}

/// <summary><c>response.queued</c></summary>
public sealed record ResponseQueuedEvent : ResponseLifecycleEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.queued";
}

/// <summary><c>response.completed</c></summary>
public sealed record ResponseCompletedEvent : ResponseLifecycleEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.completed";

    /// <inheritdoc />
    [JsonIgnore]
    public override bool IsTerminal => true;
}

/// <summary><c>response.incomplete</c></summary>
public sealed record ResponseIncompleteEvent : ResponseLifecycleEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.incomplete";

    /// <inheritdoc />
    [JsonIgnore]
    public override bool IsTerminal => true;
}

/// <summary><c>response.failed</c></summary>
public sealed record ResponseFailedEvent : ResponseLifecycleEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.failed";

    /// <inheritdoc />
    [JsonIgnore]
    public override bool IsTerminal => true;
}

/// <summary><c>response.output_item.added</c></summary>
public sealed record OutputItemAddedEvent : ResponseEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.output_item.added";

    /// <summary>Index in <c>output</c>.</summary>
    public int OutputIndex { get; init; }

    /// <summary>The item, in progress.</summary>
    public required ResponseItem Item { get; init; }
}

/// <summary><c>response.output_item.done</c></summary>
public sealed record OutputItemDoneEvent : ResponseEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.output_item.done";

    /// <summary>Index in <c>output</c>.</summary>
    public int OutputIndex { get; init; }

    /// <summary>The completed item.</summary>
    public required ResponseItem Item { get; init; }
}

/// <summary>Fields shared by the content-part events.</summary>
public abstract record ContentEvent : ResponseEvent
{
    /// <summary>The message item id.</summary>
    public required string ItemId { get; init; }

    /// <summary>Index in <c>output</c>.</summary>
    public int OutputIndex { get; init; }

    /// <summary>Index in the item's content.</summary>
    public int ContentIndex { get; init; }
}

/// <summary><c>response.content_part.added</c></summary>
public sealed record ContentPartAddedEvent : ContentEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.content_part.added";

    /// <summary>The (empty) part.</summary>
    public required ContentPart Part { get; init; }
}

/// <summary><c>response.content_part.done</c></summary>
public sealed record ContentPartDoneEvent : ContentEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.content_part.done";

    /// <summary>The full part.</summary>
    public required ContentPart Part { get; init; }
}

/// <summary><c>response.output_text.delta</c></summary>
public sealed record OutputTextDeltaEvent : ContentEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.output_text.delta";

    /// <summary>The text fragment.</summary>
    public required string Delta { get; init; }

    /// <summary>Always empty.</summary>
    public IReadOnlyList<JsonElement> Logprobs { get; init; } = [];
}

/// <summary><c>response.output_text.done</c></summary>
public sealed record OutputTextDoneEvent : ContentEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.output_text.done";

    /// <summary>The full text.</summary>
    public required string Text { get; init; }

    /// <summary>Always empty.</summary>
    public IReadOnlyList<JsonElement> Logprobs { get; init; } = [];
}

/// <summary><c>response.function_call_arguments.delta</c></summary>
public sealed record FunctionCallArgumentsDeltaEvent : ResponseEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.function_call_arguments.delta";

    /// <summary>The function_call item id.</summary>
    public required string ItemId { get; init; }

    /// <summary>Index in <c>output</c>.</summary>
    public int OutputIndex { get; init; }

    /// <summary>A JSON fragment.</summary>
    public required string Delta { get; init; }
}

/// <summary><c>response.function_call_arguments.done</c></summary>
public sealed record FunctionCallArgumentsDoneEvent : ResponseEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.function_call_arguments.done";

    /// <summary>The function_call item id.</summary>
    public required string ItemId { get; init; }

    /// <summary>Index in <c>output</c>.</summary>
    public int OutputIndex { get; init; }

    /// <summary>The function name.</summary>
    public string? Name { get; init; }

    /// <summary>The full arguments.</summary>
    public required string Arguments { get; init; }
}

/// <summary>Fields shared by reasoning summary events.</summary>
public abstract record ReasoningSummaryEvent : ResponseEvent
{
    /// <summary>The reasoning item id.</summary>
    public required string ItemId { get; init; }

    /// <summary>Index in <c>output</c>.</summary>
    public int OutputIndex { get; init; }

    /// <summary>Index in the summary.</summary>
    public int SummaryIndex { get; init; }
}

/// <summary><c>response.reasoning_summary_part.added</c></summary>
public sealed record ReasoningSummaryPartAddedEvent : ReasoningSummaryEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.reasoning_summary_part.added";

    /// <summary>The part.</summary>
    public required ContentPart Part { get; init; }
}

/// <summary><c>response.reasoning_summary_part.done</c></summary>
public sealed record ReasoningSummaryPartDoneEvent : ReasoningSummaryEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.reasoning_summary_part.done";

    /// <summary>The part.</summary>
    public required ContentPart Part { get; init; }
}

/// <summary><c>response.reasoning_summary_text.delta</c></summary>
public sealed record ReasoningSummaryTextDeltaEvent : ReasoningSummaryEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.reasoning_summary_text.delta";

    /// <summary>The text fragment.</summary>
    public required string Delta { get; init; }
}

/// <summary><c>response.reasoning_summary_text.done</c></summary>
public sealed record ReasoningSummaryTextDoneEvent : ReasoningSummaryEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.reasoning_summary_text.done";

    /// <summary>The full text.</summary>
    public required string Text { get; init; }
}

/// <summary>The flat stream-level <c>error</c> event of SSE.</summary>
public sealed record ErrorEvent : ResponseEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "error";

    /// <summary>The code.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Code { get; init; }

    /// <summary>The message.</summary>
    public required string Message { get; init; }

    /// <summary>The offending parameter.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Param { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public override bool IsTerminal => true;
}

/// <summary>The WebSocket error envelope: <c>{"type":"error","status":400,"error":{...}}</c>.</summary>
public sealed record WebSocketErrorEnvelope
{
    /// <summary>Always <c>error</c>.</summary>
    [JsonPropertyOrder(-10)]
    public string Type { get; init; } = "error";

    /// <summary>HTTP-style status; always present (Codex needs it).</summary>
    public int Status { get; init; }

    /// <summary>The lane (<c>stream_id</c>) the failed request named; absent on the default lane and for an invalid <c>stream_id</c>.</summary>
    public string? StreamId { get; init; }

    /// <summary>The error.</summary>
    public required ErrorDetailWithType Error { get; init; }

    /// <summary>Creates the envelope from a protocol error.</summary>
    public static WebSocketErrorEnvelope From(Errors.ProtocolError e) =>
        new() { Status = e.Status, Error = new ErrorDetailWithType(e.Type, e.Code, e.Message, e.Param) };
}

/// <summary>The nested error of the WebSocket envelope.</summary>
public sealed record ErrorDetailWithType(
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Code,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Param);
