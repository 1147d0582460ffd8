using Loopwire.Engine.Stores;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.Stores;

/// <summary>Deletes stored responses older than <see cref="StoreRetentionOptions.RetentionDays"/>, at start and then periodically.</summary>
/// <remarks>
/// Does nothing when retention is 0 or the store cannot expire responses. On a shared PostgreSQL store one node sweeps
/// at a time (the store takes an advisory lock; the others skip that round). A failed sweep is logged and retried next
/// period; it never stops the server.
/// </remarks>
internal sealed class RetentionSweeper(IResponseStore store, IOptions<StoreRetentionOptions> options, TimeProvider time,
    ILogger<RetentionSweeper> logger) : BackgroundService
{
    private readonly StoreRetentionOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.RetentionDays == 0 || store is not IResponseRetention retention)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(_options.SweepIntervalMinutes), time);
        do
        {
            await SweepOnceAsync(retention, stoppingToken).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>Runs one sweep; returns how many responses it deleted (null when another node swept, or it failed).</summary>
    internal async Task<int?> SweepOnceAsync(IResponseRetention retention, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - TimeSpan.FromDays(_options.RetentionDays);
        try
        {
            int? deleted = await retention.DeleteCreatedBeforeAsync(cutoff, cancellationToken).ConfigureAwait(false);
            if (deleted is null)
            {
                StoreLog.SweepSkipped(logger);
            }
            else
            {
                StoreLog.Swept(logger, deleted.Value, cutoff);
            }

            return deleted;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            StoreLog.SweepFailed(logger, ex);
            return null;
        }
    }
}
