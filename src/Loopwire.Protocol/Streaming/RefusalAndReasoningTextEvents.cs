using System.Text.Json.Serialization;

namespace Loopwire.Protocol.Streaming;

/// <summary><c>response.refusal.delta</c>: a fragment of a <c>refusal</c> content part.</summary>
public sealed record RefusalDeltaEvent : ContentEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.refusal.delta";

    /// <summary>The fragment.</summary>
    public required string Delta { get; init; }
}

/// <summary><c>response.refusal.done</c>: the whole refusal text.</summary>
public sealed record RefusalDoneEvent : ContentEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.refusal.done";

    /// <summary>The whole refusal.</summary>
    public required string Refusal { get; init; }
}

/// <summary><c>response.reasoning_text.delta</c>: a fragment of a reasoning item's <c>reasoning_text</c> content.</summary>
public sealed record ReasoningTextDeltaEvent : ContentEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.reasoning_text.delta";

    /// <summary>The fragment.</summary>
    public required string Delta { get; init; }
}

/// <summary><c>response.reasoning_text.done</c>: the whole reasoning text.</summary>
public sealed record ReasoningTextDoneEvent : ContentEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.reasoning_text.done";

    /// <summary>The whole text.</summary>
    public required string Text { get; init; }
}
