namespace Loopwire.Server.Grpc;

internal static partial class GrpcLog
{
    [LoggerMessage(701, LogLevel.Information, "gRPC stream {ConnectionId} opened")]
    public static partial void Opened(ILogger logger, string connectionId);

    [LoggerMessage(702, LogLevel.Information, "gRPC stream {ConnectionId} closed: {Reason} after {Responses} responses ({CacheHits} cache hits, {Hydrations} store hydrations)")]
    public static partial void Closed(ILogger logger, string connectionId, string reason, int responses, int cacheHits, int hydrations);

    [LoggerMessage(703, LogLevel.Debug, "gRPC stream {ConnectionId}: {Code} {Message}")]
    public static partial void ErrorSent(ILogger logger, string connectionId, string? code, string message);
}
