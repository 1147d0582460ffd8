using Loopwire.Engine.Stores;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Server.Background;

/// <summary>Copies a run's events from its in-memory ring into the store's event log, in batches, until the run is sealed.</summary>
/// <remarks>
/// One writer per run. Each append carries whatever arrived since the last one, so a fast run costs a few writes per
/// second rather than one per event. A failed append is logged and retried with the next batch; once the run is sealed,
/// the writer gives up after <see cref="MaxAttemptsWhenSealed"/> failed attempts (the database is gone; the run's own
/// final save has failed too). When the ring overwrote events the writer had not written yet, the log restarts at the
/// oldest kept event, so it never has a gap. A lost run (another node took its lease) stops writing.
/// </remarks>
internal sealed class BackgroundEventWriter(IBackgroundRunStore runs, int maxEvents, TimeProvider time, ILogger logger)
{
    private const int MaxAttemptsWhenSealed = 3;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>Writes the run's events until it is sealed and everything is written (or given up on).</summary>
    public async Task RunAsync(BackgroundRun run)
    {
        int cursor = 0;
        int failures = 0;
        var batch = new List<ResponseEvent>();
        while (!run.Lost)
        {
            batch.Clear();
            var (from, isSealed, changed) = run.CopySince(cursor, batch);
            if (batch.Count == 0)
            {
                if (isSealed)
                {
                    return;
                }

                await changed.ConfigureAwait(false);
                continue;
            }

            try
            {
                if (from > cursor && cursor > 0)
                {
                    // The ring overwrote events this writer never wrote: drop the older ones so the log stays contiguous.
                    await runs.DeleteEventsAsync(run.Id, CancellationToken.None).ConfigureAwait(false);
                }

                await runs.AppendEventsAsync(run.Id, batch, maxEvents, CancellationToken.None).ConfigureAwait(false);
                cursor = batch[^1].SequenceNumber + 1;
                failures = 0;
            }
            catch (Exception ex)
            {
                BackgroundLog.EventLogWriteFailed(logger, ex, run.Id);
                if (isSealed && ++failures >= MaxAttemptsWhenSealed)
                {
                    return;
                }

                await Task.Delay(RetryDelay, time).ConfigureAwait(false);
            }
        }
    }
}
