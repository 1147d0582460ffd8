using System.Net.WebSockets;

namespace Loopwire.Fuzz;

/// <summary>
/// Decides what the server's answer to one input means: refused as it should be, or a server fault. The runner only
/// sends and reads; every verdict is made here.
/// </summary>
internal static class FuzzClassifier
{
    /// <summary>Close codes a server may use for a hostile message: 1000, 1002, 1003, 1007, 1008, 1009 (1011 is a fault).</summary>
    private static readonly HashSet<int> FittingCloseCodes = [1000, 1002, 1003, 1007, 1008, 1009];

    /// <summary>Whether an outcome is a server fault: 5xx, unexpected statuses, bad closes, hangs, transport failures.</summary>
    public static bool IsFailure(FuzzOutcome outcome) =>
        outcome is FuzzOutcome.Http5xx or FuzzOutcome.HttpOther or FuzzOutcome.WsBadClose or FuzzOutcome.Hang or FuzzOutcome.TransportFailure;

    /// <summary>An HTTP response's status.</summary>
    public static FuzzOutcome Http(int status) => status switch
    {
        >= 200 and < 300 => FuzzOutcome.Http2xx,
        >= 400 and < 500 => FuzzOutcome.Http4xx,
        >= 500 => FuzzOutcome.Http5xx,
        _ => FuzzOutcome.HttpOther,
    };

    /// <summary>Whether a WebSocket outcome ends the connection (the case's remaining messages are not sent).</summary>
    public static bool EndsConnection(FuzzOutcome outcome) =>
        outcome is FuzzOutcome.WsClosed or FuzzOutcome.WsDropped or FuzzOutcome.WsBadClose or FuzzOutcome.Hang or FuzzOutcome.TransportFailure;

    /// <summary>The server closed the socket after a message.</summary>
    /// <param name="code">The close code (1005 when none was given).</param>
    /// <param name="description">The close reason.</param>
    /// <param name="mayClose">Whether the message is one a server may close for (oversized, binary, ...).</param>
    /// <param name="kind">The message's kind, for the failure detail.</param>
    public static (FuzzOutcome Outcome, string? Detail) Close(int code, string? description, bool mayClose, string kind) =>
        FittingCloseCodes.Contains(code) && (mayClose || code != 1000 || description is { Length: > 0 })
            ? (FuzzOutcome.WsClosed, null)
            : (FuzzOutcome.WsBadClose, $"close {code} '{description}' after {kind}");

    /// <summary>A message the server sent after a client message.</summary>
    /// <param name="type">The message's top-level <c>type</c>.</param>
    /// <param name="errorStatus">The <c>status</c> of an <c>error</c> message (0 when absent).</param>
    /// <param name="text">The message, for the failure detail.</param>
    /// <param name="kind">The client message's kind.</param>
    /// <returns>The outcome; null when the answer is not complete yet (an intermediate event): keep reading.</returns>
    public static (FuzzOutcome Outcome, string? Detail)? Reply(string? type, int errorStatus, string text, string kind) => type switch
    {
        "error" => errorStatus is >= 400 and < 500
            ? (FuzzOutcome.WsErrorEvent, null)
            : (FuzzOutcome.WsBadClose, $"error event with status {errorStatus} after {kind}: {Trim(text)}"),
        "response.completed" or "response.incomplete" => (FuzzOutcome.WsCompleted, null),
        "response.failed" => (FuzzOutcome.WsBadClose, $"response.failed after {kind}: {Trim(text)}"),
        _ => null,
    };

    /// <summary>The connection broke (no close frame was read).</summary>
    /// <param name="closeStatus">The socket's close status, if a close was seen.</param>
    /// <param name="mayDrop">Whether the message is one the server may fail the connection for (invalid UTF-8).</param>
    /// <param name="kind">The message's kind.</param>
    /// <param name="error">The failure's message.</param>
    public static (FuzzOutcome Outcome, string? Detail) Broken(WebSocketCloseStatus? closeStatus, bool mayDrop, string kind, string error) =>
        closeStatus is { } code && FittingCloseCodes.Contains((int)code) ? (FuzzOutcome.WsClosed, null)
        : mayDrop ? (FuzzOutcome.WsDropped, null)
        : (FuzzOutcome.WsBadClose, $"{kind}: connection broke without a close frame ({error})");

    /// <summary>Shortens a detail to 300 characters.</summary>
    public static string Trim(string s) => s.Length > 300 ? s[..300] + "…" : s;
}
