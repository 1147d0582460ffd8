using Loopwire.Engine.Stores;

namespace Loopwire.Engine.Context;

/// <summary>
/// The WebSocket context source: the connection's latest response (items, rendered tokens, model config) kept in
/// memory for the life of the connection, then the response store for responses created with <c>store: true</c>.
/// </summary>
/// <remarks>
/// One per connection; the connection runs one response at a time, so no locking is needed beyond the volatile
/// hand-over. Only the latest response is kept: a continuation takes its state over and appends to it in place,
/// which keeps the per-turn cost proportional to the new items. A failed turn drops the entry it built on.
/// </remarks>
public sealed class ConnectionContextSource(IResponseStore store, string? tenant, long maxStateBytes) : IContextSource
{
    private volatile ConversationState? _latest;
    private ConversationState.Checkpoint? _turn;

    /// <inheritdoc />
    public string? Tenant => tenant;

    /// <inheritdoc />
    public long MaxStateBytes => maxStateBytes;

    /// <summary>The id of the cached response, or null.</summary>
    public string? CachedResponseId => _latest?.ResponseId;

    /// <summary>The memory the cached state holds (estimate).</summary>
    public long CachedBytes => _latest?.ApproximateBytes ?? 0;

    /// <summary>The cached state when it ends with <paramref name="responseId"/>, without taking it (another lane forks a copy).</summary>
    public ConversationState? Peek(string responseId) => _latest is { } latest && latest.ResponseId == responseId ? latest : null;

    /// <summary>Counts a continuation served from a state found elsewhere on the connection (a fork from another lane).</summary>
    public void CountHit() => CacheHits++;

    /// <summary>How many continuations were served from the cache and from the store.</summary>
    public int CacheHits { get; private set; }

    /// <summary>How many continuations were hydrated from the store.</summary>
    public int StoreHydrations { get; private set; }

    /// <summary>How many continuations took over a dropped connection's detached cache.</summary>
    public int DetachedTakeovers { get; private set; }

    /// <summary>Where a continuation that misses this connection's cache looks next (before the store); none when null.</summary>
    public IDetachedContexts? Detached { get; set; }

    /// <inheritdoc />
    public async Task<ContextResolution> ResolveAsync(string previousResponseId, CancellationToken cancellationToken = default)
    {
        var latest = _latest;
        if (latest is not null && latest.ResponseId == previousResponseId)
        {
            if (latest.IsPacked)
            {
                latest.Unpack();
            }

            CacheHits++;
            _turn = latest.Save();
            return new ContextResolution(latest, null, FromCache: true);
        }

        if (Detached is { } detached && (detached.TryTakeOver(tenant, previousResponseId)
            ?? (await detached.WaitForDetachingAsync(tenant, cancellationToken).ConfigureAwait(false)
                ? detached.TryTakeOver(tenant, previousResponseId)
                : null)) is { } taken)
        {
            return TakeOver(taken);
        }

        var hydrated = await ConversationLoader.ResolveAsync(store, previousResponseId, tenant, cancellationToken).ConfigureAwait(false);
        if (hydrated.State is not null)
        {
            StoreHydrations++;
            return hydrated;
        }

        // Not stored, and the drop of the connection that holds it may not even be seen yet: wait (bounded) for that one.
        if (Detached is { } late
            && await late.WaitForHolderAsync(tenant, previousResponseId, cancellationToken).ConfigureAwait(false)
            && late.TryTakeOver(tenant, previousResponseId) is { } handedOver)
        {
            return TakeOver(handedOver);
        }

        return hydrated;
    }

    /// <summary>This connection now owns a detached state: it is its latest response, and a drop mid-turn detaches it again.</summary>
    private ContextResolution TakeOver(ConversationState taken)
    {
        DetachedTakeovers++;
        taken.Unpack();
        _latest = taken;
        _turn = taken.Save();
        return new ContextResolution(taken, null, FromCache: true) { FromDetached = true };
    }

    /// <summary>
    /// Packs the cached state while the connection is idle (see <see cref="ConversationState.TryPack"/>); the next continuation
    /// unpacks it. The caller serialises this with the connection's turns: no turn may be running or start meanwhile.
    /// </summary>
    /// <returns>Whether a state was packed.</returns>
    public bool TryPackIdle() => _turn is null && _latest is { IsPacked: false } latest && latest.TryPack();

    /// <inheritdoc />
    public void OnCompleted(ConversationState state)
    {
        _turn = null;
        _latest = state;
    }

    /// <inheritdoc />
    public void OnFailed(string? previousResponseId)
    {
        _turn = null;
        if (previousResponseId is not null && _latest?.ResponseId == previousResponseId)
        {
            _latest = null;
        }
    }

    /// <inheritdoc />
    /// <remarks>The turn is undone (its input and any output taken out again), so the previous response stays cached.</remarks>
    public void OnCancelled(string? previousResponseId)
    {
        if (!RollBack())
        {
            OnFailed(previousResponseId);
        }
    }

    /// <summary>Drops the cache (connection closing).</summary>
    public void Clear()
    {
        _turn = null;
        _latest = null;
    }

    /// <summary>
    /// Takes the cached state out for a detached cache (the connection dropped): a turn cut off half-way is undone first,
    /// so the state ends with the last response the client may have seen completed. Null when nothing is cached.
    /// </summary>
    public ConversationState? Detach()
    {
        RollBack();
        var latest = _latest;
        Clear();
        return latest?.ResponseId is null ? null : latest;
    }

    /// <summary>Undoes the running turn on the cached state, if one built on it; true when it did.</summary>
    private bool RollBack()
    {
        var turn = _turn;
        _turn = null;
        if (turn is null || !ReferenceEquals(turn.State, _latest))
        {
            return false;
        }

        turn.State.Restore(turn);
        return true;
    }
}
