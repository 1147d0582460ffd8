using Microsoft.Extensions.Logging;

namespace Loopwire.Engine.Backends;

/// <summary>Logs of the upstream backends (event ids 200-229).</summary>
internal static partial class UpstreamLog
{
    [LoggerMessage(200, LogLevel.Debug, "Upstream {Backend}: retry {Attempt} after {Reason}")]
    public static partial void Retrying(ILogger logger, string backend, int attempt, string reason);

    [LoggerMessage(201, LogLevel.Warning, "Upstream {Backend}: {Code} (status {Status}): {Message}")]
    public static partial void Failed(ILogger logger, string backend, string code, int status, string message);

    [LoggerMessage(202, LogLevel.Debug, "Upstream {Backend}: request cancelled by the client; upstream request aborted")]
    public static partial void Cancelled(ILogger logger, string backend);

    [LoggerMessage(203, LogLevel.Warning, "Upstream {Backend}: model list unavailable: {Message}")]
    public static partial void ModelListFailed(ILogger logger, string backend, string message);

    [LoggerMessage(204, LogLevel.Trace, "Upstream {Backend}: request body {Body}")]
    public static partial void RequestBody(ILogger logger, string backend, string body);

    [LoggerMessage(205, LogLevel.Debug, "Upstream {Backend}: replaying the full context ({Reason})")]
    public static partial void Replaying(ILogger logger, string backend, string reason);

    [LoggerMessage(206, LogLevel.Debug, "Upstream {Backend}: WebSocket {Event} ({Open} open)")]
    public static partial void Socket(ILogger logger, string backend, string @event, int open);

    [LoggerMessage(207, LogLevel.Debug, "Upstream {Backend}: sending {Items} of {Total} items, previous_response_id {PreviousResponseId}")]
    public static partial void Sending(ILogger logger, string backend, int items, int total, string? previousResponseId);

    [LoggerMessage(208, LogLevel.Debug, "Upstream {Backend}: steer passed through on {UpstreamResponseId} ({Items} items)")]
    public static partial void SteerPassed(ILogger logger, string backend, string upstreamResponseId, int items);

    [LoggerMessage(209, LogLevel.Debug, "Upstream {Backend}: {Reply} ({Code}): no upstream successor for that steer")]
    public static partial void SteerNotApplied(ILogger logger, string backend, string? reply, string code);
}
