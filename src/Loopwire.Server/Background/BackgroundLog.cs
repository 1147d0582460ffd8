namespace Loopwire.Server.Background;

internal static partial class BackgroundLog
{
    [LoggerMessage(301, LogLevel.Debug, "Background response {ResponseId} started")]
    public static partial void Started(ILogger logger, string responseId);

    [LoggerMessage(302, LogLevel.Debug, "Background response {ResponseId} finished: {Status}")]
    public static partial void Finished(ILogger logger, string responseId, string status);

    [LoggerMessage(303, LogLevel.Debug, "Background response {ResponseId} cancelled")]
    public static partial void Cancelled(ILogger logger, string responseId);

    [LoggerMessage(304, LogLevel.Error, "Background response {ResponseId} crashed")]
    public static partial void Crashed(ILogger logger, Exception exception, string responseId);

}
