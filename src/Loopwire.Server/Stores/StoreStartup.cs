using Loopwire.Engine.Stores;
using Loopwire.Engine.Stores.Postgres;

namespace Loopwire.Server.Stores;

/// <summary>Connects to the store when the server starts and brings its schema up to date, so a bad database stops the start.</summary>
/// <remarks>
/// A PostgreSQL store is migrated here (under an advisory lock, so nodes may start together); a failure throws
/// <see cref="StoreUnavailableException"/> out of host start with a message that names the store and host.
/// Memory and SQLite stores are ready once constructed.
/// </remarks>
internal sealed class StoreStartup(IResponseStore store, ILogger<StoreStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => ConnectAsync(store, logger, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Connects and migrates <paramref name="store"/> if it is remote; a second call on the same store does nothing.</summary>
    internal static async Task ConnectAsync(IResponseStore store, ILogger logger, CancellationToken cancellationToken)
    {
        if (store is PostgresResponseStore { Migrated: false } postgres)
        {
            int applied = await postgres.MigrateAsync(cancellationToken).ConfigureAwait(false);
            StoreLog.PostgresReady(logger, postgres.Location, applied);
        }
    }
}
