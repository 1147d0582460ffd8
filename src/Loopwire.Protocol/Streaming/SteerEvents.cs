using System.Text.Json;
using System.Text.Json.Serialization;
using Loopwire.Protocol.Errors;

namespace Loopwire.Protocol.Streaming;

/// <summary>The <c>steer</c> object of the steer replies.</summary>
/// <param name="Id">The steer id (<c>steer_…</c>); null when the steer failed before one was allocated.</param>
/// <param name="PreviousResponseId">The target response.</param>
public sealed record SteerInfo(string? Id, string? PreviousResponseId)
{
    /// <summary>The steer's original input; only on <c>response.steer.failed</c>.</summary>
    public JsonElement? Input { get; init; }
}

/// <summary>A stub of the client input a response waits for: <c>{"type":"function_call_output","call_id","name"}</c>.</summary>
public sealed record RequiredInput(string Type, string CallId, string? Name);

/// <summary><c>response.steer.accepted</c>: the steer is queued on its target (not yet applied).</summary>
public sealed record SteerAcceptedEvent : ResponseEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.steer.accepted";

    /// <summary>The steer.</summary>
    public required SteerInfo Steer { get; init; }
}

/// <summary>
/// <c>response.steer.pending</c>: the target completed waiting for client tool output; the next <c>response.create</c> on it gets
/// the steer's input prepended.
/// </summary>
public sealed record SteerPendingEvent : ResponseEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.steer.pending";

    /// <summary>The steer.</summary>
    public required SteerInfo Steer { get; init; }

    /// <summary>Always <c>waiting_for_required_input</c>.</summary>
    public string Reason { get; init; } = "waiting_for_required_input";

    /// <summary>The tool outputs the target waits for.</summary>
    public required IReadOnlyList<RequiredInput> RequiredInput { get; init; }
}

/// <summary><c>response.steer.failed</c>: the steer was not applied; it carries the original input back.</summary>
public sealed record SteerFailedEvent : ResponseEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.steer.failed";

    /// <summary>The steer, with its original input.</summary>
    public required SteerInfo Steer { get; init; }

    /// <summary>Why (<c>type</c> <c>invalid_request_error</c>, a steer failure code from <see cref="ErrorCodes"/>).</summary>
    public required ErrorDetailWithType Error { get; init; }
}

/// <summary><c>response.interrupt.accepted</c> (Codex): the response stops now and ends <c>incomplete</c>/<c>interrupted</c>.</summary>
public sealed record InterruptAcceptedEvent : ResponseEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => "response.interrupt.accepted";

    /// <summary>The interrupted response.</summary>
    public required string ResponseId { get; init; }
}
