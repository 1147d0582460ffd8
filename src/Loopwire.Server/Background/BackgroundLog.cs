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

    [LoggerMessage(305, LogLevel.Warning, "Background response {ResponseId}: writing its event log to the store failed; retrying")]
    public static partial void EventLogWriteFailed(ILogger logger, Exception exception, string responseId);

    [LoggerMessage(306, LogLevel.Warning, "Background response {ResponseId}: renewing its lease failed; retrying")]
    public static partial void LeaseRenewFailed(ILogger logger, Exception exception, string responseId);

    [LoggerMessage(307, LogLevel.Warning, "Background response {ResponseId}: node {Node} lost its lease (another node marked the response failed); stopping it")]
    public static partial void LeaseLost(ILogger logger, string responseId, string node);

    [LoggerMessage(308, LogLevel.Information, "Background response {ResponseId} cancelled by a request on another node")]
    public static partial void CancelledRemotely(ILogger logger, string responseId);

    [LoggerMessage(309, LogLevel.Warning, "Background response {ResponseId} failed: its node {LostNode} stopped renewing its lease (expired {ExpiredAt:O})")]
    public static partial void NodeLost(ILogger logger, string responseId, string lostNode, DateTimeOffset expiredAt);

    [LoggerMessage(310, LogLevel.Warning, "Sweeping expired background leases failed; retrying next period")]
    public static partial void LeaseSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(311, LogLevel.Warning, "Listening for cancel requests (LISTEN loopwire_cancel) failed; reconnecting")]
    public static partial void CancelListenerDisconnected(ILogger logger, Exception exception);

    [LoggerMessage(314, LogLevel.Information, "Listening for cancel requests from other nodes (LISTEN loopwire_cancel)")]
    public static partial void CancelListenerListening(ILogger logger);

    [LoggerMessage(315, LogLevel.Warning, "Background response {ResponseId}: the store is unavailable, in_progress not saved; the run goes on")]
    public static partial void InProgressSaveFailed(ILogger logger, Exception exception, string responseId);

    [LoggerMessage(312, LogLevel.Warning, "Background response {ResponseId}: releasing its lease failed; it expires by itself")]
    public static partial void LeaseReleaseFailed(ILogger logger, Exception exception, string responseId);

    [LoggerMessage(313, LogLevel.Warning, "Background response {ResponseId}: forgetting its event log failed")]
    public static partial void EventLogDeleteFailed(ILogger logger, Exception exception, string responseId);
}
