using Loopwire.Engine.Stores.Postgres;

namespace Loopwire.Server.Background;

/// <summary>
/// On a PostgreSQL store, listens for cancel requests made on other nodes (<c>LISTEN loopwire_cancel</c> on a dedicated
/// connection) and cancels the named run if it runs here. Reconnects after a database drop; a request sent while it was
/// disconnected still reaches the run at its next lease renewal.
/// </summary>
/// <remarks>Does nothing on memory and SQLite stores: they serve one node, whose cancel is local.</remarks>
internal sealed class CancelListener(BackgroundResponses background, TimeProvider time, ILogger<CancelListener> logger) : BackgroundService
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        background.Runs is PostgresResponseStore postgres
            ? postgres.ListenForCancelsAsync(background.CancelLocal, () => BackgroundLog.CancelListenerListening(logger), ex => BackgroundLog.CancelListenerDisconnected(logger, ex), ReconnectDelay,
                time, stoppingToken)
            : Task.CompletedTask;
}
