using System.Collections.Concurrent;
using Loopwire.Engine;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Streaming;
using Loopwire.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.Background;

/// <summary>
/// The registry of background responses (<c>background: true</c>): runs them apart from the request that created them,
/// keeps their events for replay, cancels them on request or at shutdown, and forgets them after the retention time.
/// </summary>
/// <remarks>
/// Singleton, thread-safe. The store is the source of truth for status: a run saves <c>queued</c> before it starts,
/// <c>in_progress</c> when the engine starts, and its terminal object through the engine's finalizer: the engine's
/// outcome (a failed one is stored here), or <c>cancelled</c>/<c>failed</c> when the stream stopped before it ended. Events live only in memory: after a restart a background response can be polled but
/// not streamed again.
/// </remarks>
internal sealed class BackgroundResponses : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownWait = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, BackgroundRun> _runs = new(StringComparer.Ordinal);
    private readonly ResponseEngine _engine;
    private readonly TimeProvider _time;
    private readonly BackgroundOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenRegistration _stopping;

    public BackgroundResponses(ResponseEngine engine, TimeProvider time, IOptions<LoopwireServerOptions> options,
        IHostApplicationLifetime lifetime, ILogger<BackgroundResponses> logger)
    {
        _engine = engine;
        _time = time;
        _options = options.Value.Background;
        _logger = logger;
        _stopping = lifetime.ApplicationStopping.Register(static s => ((BackgroundResponses)s!).CancelAll(), this);
    }

    public BackgroundOptions Options => _options;

    /// <summary>The run of a background response still in memory, or null (unknown, another tenant's, or forgotten).</summary>
    public BackgroundRun? Find(string id, string? tenant) =>
        _runs.TryGetValue(id, out var run) && run.Tenant == tenant ? run : null;

    /// <summary>Saves the response as <c>queued</c> and starts it; returns the run and the <c>queued</c> object.</summary>
    public async Task<(BackgroundRun Run, ResponseObject Queued)> StartAsync(PreparedResponse prepared, CancellationToken ct)
    {
        var run = new BackgroundRun(prepared.Id, prepared.Source.Tenant, _options.MaxBufferedEvents);
        var queued = _engine.Pending(prepared, ResponseStatus.Queued);

        // Registered before the save, so a GET that finds the stored object also finds the run.
        _runs[run.Id] = run;
        try
        {
            await _engine.Finalizer.SavePendingAsync(prepared, queued, ct).ConfigureAwait(false);
        }
        catch
        {
            _runs.TryRemove(new(run.Id, run));
            throw;
        }

        _ = Task.Run(() => RunAsync(run, prepared), CancellationToken.None);
        BackgroundLog.Started(_logger, run.Id);
        return (run, queued);
    }

    /// <summary>Cancels a run and waits until it has stored its final status; returns that final object.</summary>
    public async Task<ResponseObject?> CancelAsync(BackgroundRun run, CancellationToken ct)
    {
        if (run.Cancel())
        {
            BackgroundLog.Cancelled(_logger, run.Id);
        }

        await run.Completion.WaitAsync(ct).ConfigureAwait(false);
        return run.Final;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.DisposeAsync().ConfigureAwait(false);
        CancelAll();
        try
        {
            await Task.WhenAll(_runs.Values.Select(r => r.Completion)).WaitAsync(ShutdownWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        foreach (var run in _runs.Values)
        {
            run.RemovalTimer?.Dispose();
        }
    }

    private void CancelAll()
    {
        foreach (var run in _runs.Values)
        {
            run.Cancel();
        }
    }

    /// <summary>Runs the engine, buffering its events; makes sure the store ends in a terminal status.</summary>
    private async Task RunAsync(BackgroundRun run, PreparedResponse prepared)
    {
        var ct = run.Token;
        var finalizer = _engine.Finalizer;
        ResponseOutcome? outcome = null;
        var done = new List<ResponseItem>();
        try
        {
            await foreach (var e in _engine.StreamAsync(prepared, ct).ConfigureAwait(false))
            {
                run.Append(e);
                switch (e)
                {
                    case ResponseCreatedEvent created:
                        await finalizer.SavePendingAsync(prepared, created.Response, ct).ConfigureAwait(false);
                        break;
                    case OutputItemDoneEvent itemDone:
                        done.Add(itemDone.Item);
                        break;
                }
            }

            // The engine does not store a failed response; a background one is polled, so its status must reach the store.
            if (prepared.Outcome is { } ended)
            {
                outcome = await finalizer.PersistAsync(prepared, ended).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            outcome = await EndAsync(prepared, run, null, done, ErrorCodes.ResponseCancelled, "The response was cancelled.").ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            BackgroundLog.Crashed(_logger, ex, run.Id);
            outcome = await EndAsync(prepared, run, ProtocolError.Server("The background response failed: " + ex.Message), done,
                ErrorCodes.ServerError, "The background response failed.").ConfigureAwait(false);
        }
        finally
        {
            run.Finish(outcome?.Response);
            BackgroundLog.Finished(_logger, run.Id, outcome?.Response.Status ?? "unknown");
            ScheduleRemoval(run);
        }
    }

    /// <summary>
    /// Stores the <c>cancelled</c> (no <paramref name="error"/>) or <c>failed</c> object the engine did not get to end,
    /// then ends the event stream with a terminal <c>error</c> event.
    /// </summary>
    private async Task<ResponseOutcome> EndAsync(PreparedResponse prepared, BackgroundRun run, ProtocolError? error,
        IReadOnlyList<ResponseItem> done, string code, string message)
    {
        var outcome = await _engine.Finalizer.AbandonAsync(prepared, error, done).ConfigureAwait(false);
        run.Append(new ErrorEvent { Code = code, Message = message }, renumber: true);
        return outcome;
    }

    private void ScheduleRemoval(BackgroundRun run)
    {
        if (_options.Retention <= TimeSpan.Zero)
        {
            _runs.TryRemove(new(run.Id, run));
            return;
        }

        // The run holds the timer: an unreferenced timer may be collected before it fires.
        run.RemovalTimer = _time.CreateTimer(static state =>
        {
            var (registry, r) = ((BackgroundResponses, BackgroundRun))state!;
            registry._runs.TryRemove(new(r.Id, r));
            r.RemovalTimer?.Dispose();
        }, (this, run), _options.Retention, Timeout.InfiniteTimeSpan);
    }
}
