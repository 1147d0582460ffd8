using System.Collections.Concurrent;
using System.Security.Cryptography;
using Loopwire.Engine;
using Loopwire.Engine.Stores;
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
/// <para>
/// Singleton, thread-safe. The store is the source of truth for status: a run saves <c>queued</c> before it starts,
/// <c>in_progress</c> when the engine starts, and its terminal object through the engine's finalizer: the engine's
/// outcome (a failed one is stored here), or <c>cancelled</c>/<c>failed</c> when the stream stopped before it ended.
/// </para>
/// <para>
/// When the store is an <see cref="IBackgroundRunStore"/> (memory, SQLite, PostgreSQL), each run also takes a lease that
/// this node renews (<see cref="BackgroundLeaseKeeper"/>) and writes its events to the store's bounded log
/// (<see cref="BackgroundEventWriter"/>), so any node sharing the store can stream them (<see cref="BackgroundStreams"/>),
/// cancel the run (<see cref="CancelElsewhereAsync"/>) and fail it when this node dies (<see cref="LeaseSweeper"/>).
/// Events on this node are served from memory, as before.
/// </para>
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
    private readonly BackgroundLeaseKeeper? _leases;
    private readonly BackgroundEventWriter? _writer;

    public BackgroundResponses(ResponseEngine engine, TimeProvider time, IOptions<LoopwireServerOptions> options,
        IHostApplicationLifetime lifetime, ILogger<BackgroundResponses> logger)
    {
        _engine = engine;
        _time = time;
        _options = options.Value.Background;
        _logger = logger;
        NodeId = string.IsNullOrWhiteSpace(_options.NodeId)
            ? $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}"
            : _options.NodeId;
        Runs = engine.Store as IBackgroundRunStore;
        if (Runs is not null)
        {
            _leases = new BackgroundLeaseKeeper(Runs, NodeId, _options, time, logger);
            _writer = new BackgroundEventWriter(Runs, _options.MaxBufferedEvents, time, logger);
        }

        _stopping = lifetime.ApplicationStopping.Register(static s => ((BackgroundResponses)s!).CancelAll(), this);
    }

    public BackgroundOptions Options => _options;

    /// <summary>This node's name in leases (<c>Loopwire:Background:NodeId</c>, or generated).</summary>
    public string NodeId { get; }

    /// <summary>The store's background side (event logs, leases), or null when the store has none.</summary>
    public IBackgroundRunStore? Runs { get; }

    /// <summary>Cancels the run of <paramref name="id"/> on this node, if it runs here (a cancel request from another node).</summary>
    public void CancelLocal(string id)
    {
        if (_runs.TryGetValue(id, out var run) && run.Cancel())
        {
            BackgroundLog.CancelledRemotely(_logger, id);
        }
    }

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
            if (_leases is not null)
            {
                await _leases.AcquireAsync(run, ct).ConfigureAwait(false);
            }
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

    /// <summary>
    /// Cancels a background response that does not run on this node: asks the node that holds its lease (through the
    /// store) and waits, polling, for the final status that node stores; a response that no node holds is marked
    /// <c>cancelled</c> here (left behind by a server that stopped before it could finish the run).
    /// </summary>
    /// <returns>The final object; the stored one, still in progress, if the other node did not end the run within a lease.</returns>
    public async Task<ResponseObject?> CancelElsewhereAsync(StoredResponse stored, string? tenant, CancellationToken ct)
    {
        var lease = Runs is null ? null : await Runs.RequestCancelAsync(stored.Id, tenant, ct).ConfigureAwait(false);
        if (lease is null || lease.ExpiresAt < _time.GetUtcNow())
        {
            return await _engine.Finalizer.CancelOrphanAsync(stored, ct).ConfigureAwait(false);
        }

        // The running node sees the request at once (NOTIFY) or at its next renewal; a dead node's lease expires first.
        var deadline = _time.GetUtcNow() + _options.LeaseDuration + 2 * _options.LeaseRenewInterval;
        var current = stored.Response;
        while (true)
        {
            var now = await _engine.Store.GetAsync(stored.Id, tenant, ct).ConfigureAwait(false);
            if (now is null)
            {
                return null;
            }

            current = now.Response;
            if (ResponseStatus.IsTerminal(current.Status) || _time.GetUtcNow() >= deadline)
            {
                return current;
            }

            await Task.Delay(_options.FollowPollInterval, _time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the engine, buffering its events; makes sure the store ends in a terminal status.</summary>
    private async Task RunAsync(BackgroundRun run, PreparedResponse prepared)
    {
        var ct = run.Token;
        var finalizer = _engine.Finalizer;
        ResponseOutcome? outcome = null;
        var done = new List<ResponseItem>();
        var writing = _writer is null ? Task.CompletedTask : Task.Run(() => _writer.RunAsync(run), CancellationToken.None);
        var leasing = _leases is null ? Task.CompletedTask : Task.Run(() => _leases.KeepAsync(run), CancellationToken.None);
        try
        {
            await foreach (var e in _engine.StreamAsync(prepared, ct).ConfigureAwait(false))
            {
                run.Append(e);
                switch (e)
                {
                    case ResponseCreatedEvent created:
                        await SaveInProgressAsync(prepared, created.Response, ct).ConfigureAwait(false);
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
        catch (OperationCanceledException) when (ct.IsCancellationRequested && run.Lost)
        {
            // Another node has stored this response as failed (node_lost); storing anything now would overwrite it.
            run.Append(new ErrorEvent { Code = ErrorCodes.NodeLost, Message = $"Node '{NodeId}' lost the lease of this response." }, renumber: true);
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
            // The log gets the last events before local readers are told the run ended, so that with no retention the
            // run is forgotten everywhere (memory and log) in one step as far as a reader can tell.
            run.Seal();
            await writing.ConfigureAwait(false);
            if (_options.Retention <= TimeSpan.Zero)
            {
                await ForgetAsync(run).ConfigureAwait(false);
            }

            run.Finish(outcome?.Response);
            await leasing.ConfigureAwait(false);
            if (_leases is not null && !run.Lost)
            {
                await _leases.ReleaseAsync(run).ConfigureAwait(false);
            }

            BackgroundLog.Finished(_logger, run.Id, outcome?.Response.Status ?? "unknown");
            ScheduleRemoval(run);
        }
    }

    /// <summary>
    /// Saves <c>in_progress</c>; a store outage does not stop the run (polling shows <c>queued</c> meanwhile), and if the
    /// store is still away at the final save, the run ends <c>response.failed</c> with <c>store_unavailable</c>.
    /// </summary>
    private async Task SaveInProgressAsync(PreparedResponse prepared, ResponseObject inProgress, CancellationToken ct)
    {
        try
        {
            await _engine.Finalizer.SavePendingAsync(prepared, inProgress, ct).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            BackgroundLog.InProgressSaveFailed(_logger, ex, prepared.Id);
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
            return;
        }

        // The run holds the timer: an unreferenced timer may be collected before it fires.
        run.RemovalTimer = _time.CreateTimer(static state =>
        {
            var (registry, r) = ((BackgroundResponses, BackgroundRun))state!;
            r.RemovalTimer?.Dispose();
            _ = registry.ForgetAsync(r);
        }, (this, run), _options.Retention, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Forgets a run's events: first the store's log, then the ring, so no reader sees the log outlive the ring.</summary>
    private async Task ForgetAsync(BackgroundRun run)
    {
        if (Runs is not null && !run.Lost)
        {
            try
            {
                await Runs.DeleteEventsAsync(run.Id).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                BackgroundLog.EventLogDeleteFailed(_logger, ex, run.Id);
            }
        }

        _runs.TryRemove(new(run.Id, run));
    }
}
