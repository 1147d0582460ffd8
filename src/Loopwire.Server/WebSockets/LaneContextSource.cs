using Loopwire.Engine.Context;
using Loopwire.Engine.Stores;

namespace Loopwire.Server.WebSockets;

/// <summary>
/// The context source of one lane: the lane's own latest response first, then a copy of another lane's latest (a fork), then
/// the store. The memory cap is shared by all lanes of the connection.
/// </summary>
/// <remarks>
/// A same-lane continuation takes the lane's state over (and a failure evicts it); a fork copies the other lane's state, so a
/// failed fork leaves that lane's parent alone. While a lane runs a response its state may be changing, so it cannot be forked
/// then: the fork falls back to the store (<c>previous_response_not_found</c> with <c>store: false</c>).
/// </remarks>
internal sealed class LaneContextSource : IdleTarget, IContextSource
{
    private readonly LaneCaches _caches;

    public LaneContextSource(LaneCaches caches, IResponseStore store, string? tenant)
    {
        _caches = caches;
        Own = new ConnectionContextSource(store, tenant, long.MaxValue);
    }

    /// <summary>The lane's own cache (its latest response).</summary>
    public ConnectionContextSource Own { get; }

    /// <summary>True while the lane runs a response (its state may be changing).</summary>
    public bool Busy { get; set; }

    /// <inheritdoc />
    public string? Tenant => Own.Tenant;

    /// <inheritdoc />
    public long MaxStateBytes => _caches.BudgetFor(this);

    /// <inheritdoc />
    public Task<ContextResolution> ResolveAsync(string previousResponseId, CancellationToken cancellationToken = default)
    {
        if (Own.CachedResponseId != previousResponseId && _caches.TryFork(previousResponseId, this) is { } forked)
        {
            Own.CountHit();
            return Task.FromResult(new ContextResolution(forked, null, FromCache: true));
        }

        return Own.ResolveAsync(previousResponseId, cancellationToken);
    }

    /// <inheritdoc />
    public void OnCompleted(ConversationState state) => Own.OnCompleted(state);

    /// <inheritdoc />
    public void OnFailed(string? previousResponseId) => Own.OnFailed(previousResponseId);

    /// <inheritdoc />
    public void OnCancelled(string? previousResponseId) => Own.OnCancelled(previousResponseId);

    /// <inheritdoc />
    internal override void PackIfIdle() => _caches.PackIfIdle(this);
}

/// <summary>The lane caches of one connection: the shared memory cap and forks between lanes.</summary>
/// <remarks>Thread-safe: lanes run concurrently.</remarks>
internal sealed class LaneCaches(long maxBytes, IdlePacker? packer = null)
{
    private readonly List<LaneContextSource> _lanes = [];
    private readonly Lock _lock = new();
    private IDetachedContexts? _detached;

    /// <summary>Where a lane's continuation that misses its own cache looks before the store (a dropped connection's
    /// detached cache); null: nowhere.</summary>
    public IDetachedContexts? Detached
    {
        get => _detached;
        set
        {
            _detached = value;
            foreach (var l in Snapshot())
            {
                l.Own.Detached = value;
            }
        }
    }

    public LaneContextSource Add(IResponseStore store, string? tenant)
    {
        var lane = new LaneContextSource(this, store, tenant);
        lane.Own.Detached = _detached;
        lock (_lock)
        {
            _lanes.Add(lane);
        }

        return lane;
    }

    /// <summary>Hands every lane's latest state (a turn cut off half-way undone first) to <paramref name="detached"/>.</summary>
    public void DetachTo(DetachedCaches detached)
    {
        foreach (var l in Snapshot())
        {
            ConversationState? state;
            lock (_lock)
            {
                // Under the lock: a pack of the lane's state is not running meanwhile.
                state = l.Own.Detach();
            }

            detached.Detach(l.Tenant, state);
        }
    }

    /// <summary>Whether a lane's latest response is <paramref name="responseId"/>.</summary>
    public bool Holds(string responseId) => Array.Exists(Snapshot(), l => l.Own.CachedResponseId == responseId);

    /// <summary>The bytes cached over all lanes.</summary>
    public long CachedBytes
    {
        get
        {
            lock (_lock)
            {
                return _lanes.Sum(l => l.Own.CachedBytes);
            }
        }
    }

    public int CacheHits => Snapshot().Sum(l => l.Own.CacheHits);

    public int StoreHydrations => Snapshot().Sum(l => l.Own.StoreHydrations);

    /// <summary>What one lane may hold: the connection's cap minus what the other lanes hold.</summary>
    public long BudgetFor(LaneContextSource lane)
    {
        lock (_lock)
        {
            long others = 0;
            foreach (var l in _lanes)
            {
                if (l != lane)
                {
                    others += l.Own.CachedBytes;
                }
            }

            return Math.Max(0, maxBytes - others);
        }
    }

    /// <summary>Marks a lane running (its state may change) or idle; an idle lane is packed once idle long enough.</summary>
    public void SetBusy(LaneContextSource lane, bool busy)
    {
        lock (_lock)
        {
            lane.Busy = busy;
        }

        if (!busy)
        {
            packer?.Touch(lane);
        }
    }

    /// <summary>Packs a lane's cached state unless the lane runs a response: under the lock its turns and forks take, so never
    /// while one uses the state.</summary>
    public void PackIfIdle(LaneContextSource lane)
    {
        lock (_lock)
        {
            long before = lane.Own.CachedBytes;
            if (!lane.Busy && lane.Own.TryPackIdle())
            {
                packer?.CountPacked(before - lane.Own.CachedBytes);
            }
        }
    }

    /// <summary>A copy of another idle lane's latest state when it ends with <paramref name="responseId"/>.</summary>
    public ConversationState? TryFork(string responseId, LaneContextSource requester)
    {
        lock (_lock)
        {
            foreach (var l in _lanes)
            {
                if (l != requester && !l.Busy && l.Own.Peek(responseId) is { } state)
                {
                    // Fork unpacks a packed state; the lane is packed again once idle.
                    bool packed = state.IsPacked;
                    var fork = state.Fork();
                    if (packed)
                    {
                        packer?.Touch(l);
                    }

                    return fork;
                }
            }
        }

        return null;
    }

    public void Clear()
    {
        foreach (var l in Snapshot())
        {
            lock (_lock)
            {
                l.Own.Clear();
            }
        }
    }

    private LaneContextSource[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _lanes];
        }
    }
}
