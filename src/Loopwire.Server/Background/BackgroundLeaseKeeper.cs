using Loopwire.Engine.Stores;

namespace Loopwire.Server.Background;

/// <summary>The heartbeat of the runs on this node: renews each run's lease every renew interval until the run completes.</summary>
/// <remarks>
/// A renewal also carries news from other nodes: a cancel request (when its NOTIFY was missed, or the store cannot notify)
/// cancels the run; a lost lease (another node found it expired and marked the response failed) stops the run without
/// saving anything more. A failed renewal is logged and retried at the next interval; if the store stays away past the
/// lease duration, another node may declare the run lost.
/// </remarks>
internal sealed class BackgroundLeaseKeeper(IBackgroundRunStore runs, string node, BackgroundOptions options, TimeProvider time, ILogger logger)
{
    public string Node => node;

    /// <summary>Takes the lease of a run that is about to start.</summary>
    public Task AcquireAsync(BackgroundRun run, CancellationToken ct) =>
        runs.AcquireLeaseAsync(new BackgroundLease(run.Id, run.Tenant, node, time.GetUtcNow() + options.LeaseDuration), ct);

    /// <summary>Renews the run's lease until <see cref="BackgroundRun.Completion"/>.</summary>
    public async Task KeepAsync(BackgroundRun run)
    {
        while (true)
        {
            try
            {
                await run.Completion.WaitAsync(options.LeaseRenewInterval, time).ConfigureAwait(false);
                return;
            }
            catch (TimeoutException)
            {
            }

            LeaseRenewal renewal;
            try
            {
                renewal = await runs.RenewLeaseAsync(run.Id, node, time.GetUtcNow() + options.LeaseDuration).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                BackgroundLog.LeaseRenewFailed(logger, ex, run.Id);
                continue;
            }

            if (renewal == LeaseRenewal.CancelRequested && run.Cancel())
            {
                BackgroundLog.CancelledRemotely(logger, run.Id);
            }
            else if (renewal == LeaseRenewal.Lost && !run.IsFinished)
            {
                BackgroundLog.LeaseLost(logger, run.Id, node);
                run.MarkLost();
            }
        }
    }

    /// <summary>Drops the lease of a run that has ended (failures are logged: the lease then expires by itself).</summary>
    public async Task ReleaseAsync(BackgroundRun run)
    {
        try
        {
            await runs.ReleaseLeaseAsync(run.Id, node).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            BackgroundLog.LeaseReleaseFailed(logger, ex, run.Id);
        }
    }
}
