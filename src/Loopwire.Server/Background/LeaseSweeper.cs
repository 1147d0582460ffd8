using Loopwire.Engine;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Server.Background;

/// <summary>
/// Fails the background responses whose node died: every <see cref="BackgroundOptions.LeaseRenewInterval"/>, claims the
/// leases that expired (one node at a time: PostgreSQL takes an advisory lock, the others skip that round), stores each
/// still-running response as <c>failed</c> with <see cref="ErrorCodes.NodeLost"/> and a message naming the lost node,
/// appends the matching <c>response.failed</c> to its event log (so followers on any node end), and drops the lease.
/// </summary>
/// <remarks>
/// A claim lasts one lease duration: if this node dies mid-sweep, another node takes the lease over after that. A failed
/// sweep is logged and retried next period; it never stops the server. Nothing runs when the store keeps no leases.
/// </remarks>
internal sealed class LeaseSweeper(BackgroundResponses background, ResponseEngine engine, TimeProvider time, ILogger<LeaseSweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (background.Runs is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(background.Options.LeaseRenewInterval, time);
        do
        {
            await SweepOnceAsync(stoppingToken).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>Runs one sweep; returns how many responses it marked failed (null when another node swept, or it failed).</summary>
    internal async Task<int?> SweepOnceAsync(CancellationToken ct)
    {
        var runs = background.Runs!;
        var options = background.Options;
        try
        {
            var now = time.GetUtcNow();
            var expired = await runs.ClaimExpiredLeasesAsync(now, background.NodeId, now + options.LeaseDuration, ct).ConfigureAwait(false);
            if (expired is null)
            {
                return null;
            }

            int failed = 0;
            foreach (var lease in expired)
            {
                if (await FailAsync(runs, lease, ct).ConfigureAwait(false))
                {
                    failed++;
                }

                await runs.ReleaseLeaseAsync(lease.ResponseId, background.NodeId, ct).ConfigureAwait(false);
            }

            return failed;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            BackgroundLog.LeaseSweepFailed(logger, ex);
            return null;
        }
    }

    private async Task<bool> FailAsync(IBackgroundRunStore runs, BackgroundLease lease, CancellationToken ct)
    {
        var stored = await engine.Store.GetAsync(lease.ResponseId, lease.Tenant, ct).ConfigureAwait(false);
        if (stored is null || ResponseStatus.IsTerminal(stored.Response.Status))
        {
            // Deleted, or it ended and its node died before dropping the lease.
            return false;
        }

        var error = new ProtocolError(500, ErrorTypes.Server, ErrorCodes.NodeLost,
            $"The background response was running on node '{lease.Node}', which stopped renewing its lease " +
            $"(expired at {lease.ExpiresAt:O}); node '{background.NodeId}' marked it failed.", null);
        var final = await engine.Finalizer.FailOrphanAsync(stored, error, ct).ConfigureAwait(false);
        BackgroundLog.NodeLost(logger, lease.ResponseId, lease.Node, lease.ExpiresAt);
        var tail = await runs.ReadEventsAsync(lease.ResponseId, int.MaxValue - 1, 1, ct).ConfigureAwait(false);
        await runs.AppendEventsAsync(lease.ResponseId, [new ResponseFailedEvent { Response = final, SequenceNumber = tail.NextSequence }],
            background.Options.MaxBufferedEvents, ct).ConfigureAwait(false);
        return true;
    }
}
