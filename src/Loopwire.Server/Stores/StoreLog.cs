namespace Loopwire.Server.Stores;

/// <summary>Logs of the store's start and retention (event ids 600-699).</summary>
internal static partial class StoreLog
{
    [LoggerMessage(601, LogLevel.Information, "PostgreSQL store at {Location} ready ({Applied} migration(s) applied)")]
    public static partial void PostgresReady(ILogger logger, string location, int applied);

    [LoggerMessage(602, LogLevel.Information, "Retention sweep deleted {Deleted} response(s) created before {Cutoff:O}")]
    public static partial void Swept(ILogger logger, int deleted, DateTimeOffset cutoff);

    [LoggerMessage(603, LogLevel.Debug, "Retention sweep skipped: another node is sweeping")]
    public static partial void SweepSkipped(ILogger logger);

    [LoggerMessage(604, LogLevel.Warning, "Retention sweep failed; retrying next period")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(605, LogLevel.Warning, "Store unavailable while serving {Method} {Path}: {Reason}")]
    public static partial void Unavailable(ILogger logger, string method, string path, string reason);
}
