namespace Loopwire.Server.WebSockets;

internal static partial class WebSocketLog
{
    [LoggerMessage(101, LogLevel.Information, "WebSocket {ConnectionId} opened (compression {Compression})")]
    public static partial void Opened(ILogger logger, string connectionId, bool compression);

    [LoggerMessage(102, LogLevel.Information, "WebSocket {ConnectionId} closed: {Reason} after {Responses} responses ({CacheHits} cache hits, {Hydrations} store hydrations)")]
    public static partial void Closed(ILogger logger, string connectionId, string reason, int responses, int cacheHits, int hydrations);

    [LoggerMessage(103, LogLevel.Information, "WebSocket {ConnectionId}: client went away mid-response; generation cancelled {DelayMs:F2} ms after the disconnect was seen")]
    public static partial void CancelledOnDisconnect(ILogger logger, string connectionId, double delayMs);

    [LoggerMessage(104, LogLevel.Debug, "WebSocket {ConnectionId}: {Code} {Message}")]
    public static partial void ErrorSent(ILogger logger, string connectionId, string? code, string message);

    [LoggerMessage(105, LogLevel.Error, "WebSocket {ConnectionId} failed")]
    public static partial void Failed(ILogger logger, Exception exception, string connectionId);
}
