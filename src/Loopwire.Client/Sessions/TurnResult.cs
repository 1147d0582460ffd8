using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Client.Sessions;

/// <summary>What one turn cost on the client side.</summary>
/// <remarks>Bytes are payload bytes actually written and read: HTTP request and response bodies, WebSocket message payloads;
/// failed attempts and warm-ups of the turn are included.</remarks>
public sealed record TurnMetrics
{
    /// <summary>Payload bytes sent.</summary>
    public long BytesSent { get; init; }

    /// <summary>Payload bytes received.</summary>
    public long BytesReceived { get; init; }

    /// <summary>Input items sent, over all attempts.</summary>
    public int ItemsSent { get; init; }

    /// <summary>Whether the successful attempt was a continuation (<c>previous_response_id</c> plus the new items).</summary>
    public bool UsedPreviousResponseId { get; init; }

    /// <summary>Full-context re-sends caused by a lost chain (not found, age limit, dropped connection, proactive reconnect).</summary>
    public int Replays { get; init; }

    /// <summary>Connections opened to replace an earlier one during this turn.</summary>
    public int Reconnects { get; init; }

    /// <summary>Requests sent, warm-ups included.</summary>
    public int Requests { get; init; }

    /// <summary>From the start of the turn to the first output delta of the successful attempt; null if there was none.</summary>
    public TimeSpan? TimeToFirstToken { get; init; }

    /// <summary>From the start of the turn to its terminal event.</summary>
    public TimeSpan TurnTime { get; init; }
}

/// <summary>The outcome of a turn.</summary>
/// <param name="Response">The terminal response object (completed, incomplete or failed).</param>
/// <param name="Metrics">What the turn cost.</param>
public sealed record TurnResult(ResponseObject Response, TurnMetrics Metrics)
{
    /// <summary>The response's output items; append them to the conversation to continue it.</summary>
    public IReadOnlyList<ResponseItem> Output => Response.Output;
}

/// <summary>One element of <see cref="ResponseSession.StreamTurnAsync"/>: an event, or the result at the end.</summary>
/// <param name="Event">A response event; null on the last update.</param>
/// <param name="Result">The turn result; set on the last update only.</param>
public sealed record SessionUpdate(ResponseEvent? Event, TurnResult? Result);

/// <summary>Where a session's conversation stands: its latest response and the full context that response saw plus its output.</summary>
/// <param name="ResponseId">The latest response id.</param>
/// <param name="Context">The conversation up to and including that response's output.</param>
/// <param name="Options">The request options of that response (input and <c>previous_response_id</c> unset).</param>
public sealed record SessionCheckpoint(string ResponseId, IReadOnlyList<ResponseItem> Context, CreateResponseRequest Options);
