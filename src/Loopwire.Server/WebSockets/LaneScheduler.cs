using System.Diagnostics;
using Loopwire.Engine;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Requests;
using Loopwire.Server.Hosting;
using Loopwire.Server.Http;
using Loopwire.Server.Limits;

namespace Loopwire.Server.WebSockets;

/// <summary>
/// The lanes of one connection: creates them (within <see cref="WebSocketModeOptions.MaxStreamsPerConnection"/>), queues each
/// <c>response.create</c> on its lane, and runs responses with at most <see cref="WebSocketModeOptions.MaxActiveResponses"/> at once.
/// </summary>
/// <remarks>
/// Step 1 a lane's loop takes its next response, waits for an active slot and the tenant's slot; Step 2 it prepares it against the
/// lane's cache (steers queued on its parent prepended), registers it for steering and streams its events tagged with the lane;
/// Step 3 a steered target's successor runs next on the same lane, before anything queued behind it.
/// </remarks>
internal sealed class LaneScheduler : IDisposable
{
    private readonly Dictionary<string, Lane> _named = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _active;
    private readonly ResponseEngine _engine;
    private readonly WebSocketModeOptions _options;
    private readonly ILaneOutput _output;
    private readonly SteerCoordinator _steers;
    private readonly LaneCaches _caches;
    private readonly string? _tenant;
    private readonly Func<ProtocolError?> _admitQueued;
    private readonly Action _done;
    private readonly Action _cancelled;
    private readonly CancellationToken _work;
    private readonly Lane _default;
    private int _responses;

    public LaneScheduler(ResponseEngine engine, WebSocketModeOptions options, ILaneOutput output, SteerCoordinator steers, string? tenant,
        Func<ProtocolError?> admitQueued, Action done, Action cancelled, CancellationToken work, IdlePacker? packer = null)
    {
        _engine = engine;
        _options = options;
        _output = output;
        _steers = steers;
        _tenant = tenant;
        _admitQueued = admitQueued;
        _done = done;
        _cancelled = cancelled;
        _work = work;
        _active = new SemaphoreSlim(options.MaxActiveResponses, options.MaxActiveResponses);
        _caches = new LaneCaches(options.MaxConnectionCacheBytes, packer);
        _default = StartLane(null);
    }

    /// <summary>The per-tenant limits responses count against; null: none.</summary>
    public TenantLimits? Limits { get; init; }

    /// <summary>This connection's tenant partition for <see cref="Limits"/>.</summary>
    public string Partition { get; init; } = "";

    /// <summary>The connection's span; each response's span links to it.</summary>
    public ActivityContext Trace { get; init; }

    /// <summary>The lane caches (stats, tests).</summary>
    public LaneCaches Caches => _caches;

    /// <summary>Responses streamed to their end.</summary>
    public int Responses => Volatile.Read(ref _responses);

    /// <summary>Responses running now.</summary>
    public int Running => _options.MaxActiveResponses - _active.CurrentCount;

    /// <summary>Distinct named lanes opened so far.</summary>
    public int NamedLanes
    {
        get
        {
            lock (_lock)
            {
                return _named.Count;
            }
        }
    }

    /// <summary>Queues a create on its lane.</summary>
    /// <returns>Null when queued; otherwise the error to send (the lane limit, the lane's queue is full).</returns>
    public ProtocolError? Enqueue(CreateMessage m, TimeSpan parse)
    {
        Lane lane;
        if (m.StreamId is null)
        {
            lane = _default;
        }
        else
        {
            lock (_lock)
            {
                if (!_named.TryGetValue(m.StreamId, out lane!))
                {
                    if (_named.Count >= _options.MaxStreamsPerConnection)
                    {
                        return new ProtocolError(400, ErrorTypes.InvalidRequest, ErrorCodes.WebSocketStreamLimitReached,
                            $"This connection already uses {_options.MaxStreamsPerConnection} stream_ids (Loopwire:WebSocket:MaxStreamsPerConnection); " +
                            "stream_ids are freed on reconnect. The default lane (no stream_id) keeps working.", "stream_id");
                    }

                    lane = StartLane(m.StreamId);
                    _named[m.StreamId] = lane;
                }
            }
        }

        return lane.TryEnqueue(new LaneWork(m.Request, parse), _options.MaxQueuedRequests)
            ? null
            : new ProtocolError(429, ErrorTypes.InvalidRequest, ErrorCodes.WebSocketQueueFull,
                $"Too many queued responses on this lane: one runs and {_options.MaxQueuedRequests} may wait " +
                "(Loopwire:WebSocket:MaxQueuedRequests).", null);
    }

    /// <summary>No more creates: every lane ends once its queue is empty (or the work token is cancelled).</summary>
    public async Task CompleteAsync()
    {
        Lane[] lanes;
        lock (_lock)
        {
            lanes = [_default, .. _named.Values];
        }

        foreach (var l in lanes)
        {
            l.Complete();
        }

        try
        {
            await Task.WhenAll(lanes.Select(l => l.Loop));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose() => _active.Dispose();

    private Lane StartLane(string? name)
    {
        var lane = new Lane(name, _caches.Add(_engine.Store, _tenant));
        lane.Start(RunAsync, _done, _work);
        return lane;
    }

    private async Task RunAsync(Lane lane, LaneWork work, CancellationToken ct)
    {
        CreateResponseRequest? request = work.Request;
        IReadOnlyList<PendingSteer> steers = [];
        var parse = work.Parse;
        try
        {
            while (request is { } next)
            {
                (request, steers) = await RunOneAsync(lane, next, parse, steers, ct);
                parse = TimeSpan.Zero;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            _cancelled();
            throw;
        }
    }

    private async Task<(CreateResponseRequest?, IReadOnlyList<PendingSteer>)> RunOneAsync(Lane lane, CreateResponseRequest request, TimeSpan parse,
        IReadOnlyList<PendingSteer> carried, CancellationToken ct)
    {
        // Step 1
        var refused = _admitQueued();
        await _active.WaitAsync(ct);
        try
        {
#pragma warning disable CA2000 // Disposed by the using declaration; the analyzer does not follow the null-conditional call.
            using var slot = refused is null ? Limits?.TryAcquireResponse(Partition) : null;
#pragma warning restore CA2000
            if (refused is null && Limits is not null && slot is null)
            {
                refused = TenantLimits.TooManyResponses(Limits.MaxResponses);
            }

            if (refused is not null)
            {
                Refuse(lane, request, carried, refused);
                return (null, []);
            }

            // Step 2
            if (carried.Count == 0 && request.PreviousResponseId is { } parent && _steers.TakeQueued(parent) is { Count: > 0 } queued)
            {
                request = request with { Input = [.. queued, .. request.Input ?? []] };
            }

            _caches.SetBusy(lane.Source, true);
            try
            {
                var timings = new TurnTimings { Transport = "ws", Parse = parse, Connection = Trace };
                var prepared = await _engine.PrepareAsync(request, lane.Source, timings, ct);
                if (prepared.Error is not null)
                {
                    Refuse(lane, request, carried, prepared.Error);
                    return (null, []);
                }

                var p = prepared.Prepared!;
                p.SteerSuccessor = carried.Count > 0;
                using var stop = p.Stop;
                var tracked = _steers.Track(p, lane.Name);
                await using (var events = _engine.StreamAsync(p, ct).GetAsyncEnumerator(CancellationToken.None))
                {
                    while (true)
                    {
                        // When the model has nothing ready, what the lane sent leaves now, not with the next event.
                        var next = events.MoveNextAsync();
                        if (!(next.IsCompleted ? await next : await FlushBeforeWait.NextAsync(next, _output.FlushAsync(ct))))
                        {
                            break;
                        }

                        var e = events.Current;
                        if (e.IsTerminal)
                        {
                            // In flight ends where the client sees it end: a next response sent on seeing this is not refused.
                            slot?.Dispose();
                        }

                        await _output.SendEventAsync(e, lane.Name, ct);
                    }
                }

                // A stream that ended without a terminal event (the terminal event flushes by itself).
                await _output.FlushAsync(ct);

                Interlocked.Increment(ref _responses);
                // Step 3
                return _steers.Ended(tracked, p.Outcome);
            }
            finally
            {
                _caches.SetBusy(lane.Source, false);
            }
        }
        finally
        {
            _active.Release();
        }
    }

    private void Refuse(Lane lane, CreateResponseRequest request, IReadOnlyList<PendingSteer> carried, ProtocolError error)
    {
        if (carried.Count > 0)
        {
            _steers.SuccessorFailed(carried, request.PreviousResponseId!, lane.Name, error);
        }
        else
        {
            _output.SendError(error, lane.Name);
        }
    }
}
