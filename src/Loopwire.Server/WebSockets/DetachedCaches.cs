using Loopwire.Engine.Context;
using Loopwire.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.WebSockets;

/// <summary>
/// The connection caches of WebSockets that went away without a clean close, kept for
/// <see cref="WebSocketModeOptions.DetachedCacheSeconds"/> so that a <c>response.create</c> on a new connection of the same
/// tenant whose <c>previous_response_id</c> names one takes it over and sends only the new items (a Loopwire extension).
/// </summary>
/// <remarks>
/// Bounded per tenant by <see cref="WebSocketModeOptions.MaxDetachedCacheBytesPerTenant"/> (the oldest go first) and in time
/// (expired entries are dropped on every access and by a timer). Zero seconds keeps nothing: OpenAI's behaviour, a
/// reconnect gets <c>previous_response_not_found</c>. Thread-safe.
/// </remarks>
internal sealed partial class DetachedCaches : IDetachedContexts, IDisposable
{
    private readonly Dictionary<string, TenantEntries> _tenants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Detaching> _detaching = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Holder>> _holders = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;
    private readonly long _maxTenantBytes;
    private readonly ITimer? _sweep;
    private readonly IdlePacker? _packer;

    public DetachedCaches(IOptions<LoopwireServerOptions> options, TimeProvider time, IdlePacker? packer = null)
    {
        _packer = packer;
        var ws = options.Value.WebSocket;
        _time = time;
        _ttl = TimeSpan.FromSeconds(ws.DetachedCacheSeconds);
        _maxTenantBytes = ws.MaxDetachedCacheBytesPerTenant;
        _sweep = Enabled ? time.CreateTimer(_ => Sweep(), null, _ttl, _ttl) : null;
    }

    /// <summary>How long a take-over that misses waits for a same-tenant connection that is still detaching.</summary>
    internal static readonly TimeSpan DetachWait = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Marks a connection of <paramref name="tenant"/> as detaching (its drop was seen, its caches are not handed over yet)
    /// until the returned handle is disposed. A reconnect can outrun the old connection's clean-up; a take-over that misses
    /// meanwhile waits for it (<see cref="WaitForDetachingAsync"/>) instead of answering <c>previous_response_not_found</c>.
    /// </summary>
    public IDisposable? BeginDetach(string? tenant)
    {
        if (!Enabled)
        {
            return null;
        }

        string key = tenant ?? "";
        lock (_lock)
        {
            if (!_detaching.TryGetValue(key, out var pending))
            {
                pending = new Detaching();
                _detaching[key] = pending;
            }

            pending.Count++;
            return new DetachHandle(this, key, pending);
        }
    }

    /// <inheritdoc />
    public async Task<bool> WaitForDetachingAsync(string? tenant, CancellationToken cancellationToken)
    {
        Task done;
        lock (_lock)
        {
            if (!_detaching.TryGetValue(tenant ?? "", out var pending))
            {
                return false;
            }

            done = pending.Done.Task;
        }

        try
        {
            await done.WaitAsync(DetachWait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Still detaching after the bound: try once more and let a miss be previous_response_not_found.
        }

        return true;
    }

    /// <summary>
    /// Registers an open connection of <paramref name="tenant"/> whose caches <paramref name="holds"/> tells about, until the
    /// returned handle is disposed (after its caches were handed over on a drop). A reconnect can outrun even the server's
    /// noticing of the drop; a take-over that misses everywhere else waits for the connection that holds the response
    /// (<see cref="WaitForHolderAsync"/>). The connection looks up detached caches through the returned attachment, which
    /// never waits for the connection itself.
    /// </summary>
    public Attachment Attach(string? tenant, Func<string, bool> holds)
    {
        if (!Enabled)
        {
            return new Attachment(this, "", null);
        }

        string key = tenant ?? "";
        var holder = new Holder(holds);
        lock (_lock)
        {
            if (!_holders.TryGetValue(key, out var list))
            {
                list = [];
                _holders[key] = list;
            }

            list.Add(holder);
        }

        return new Attachment(this, key, holder);
    }

    /// <inheritdoc />
    public Task<bool> WaitForHolderAsync(string? tenant, string responseId, CancellationToken cancellationToken) =>
        WaitForHolderAsync(tenant, responseId, null, cancellationToken);

    private async Task<bool> WaitForHolderAsync(string? tenant, string responseId, Holder? asking, CancellationToken cancellationToken)
    {
        Holder[] holders;
        lock (_lock)
        {
            if (!_holders.TryGetValue(tenant ?? "", out var list))
            {
                return false;
            }

            holders = [.. list];
        }

        // Asked outside the lock: a holder looks into its own caches under theirs.
        var holder = Array.Find(holders, h => h != asking && h.Holds(responseId));
        if (holder is null)
        {
            return false;
        }

        try
        {
            await holder.Gone.Task.WaitAsync(DetachWait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The connection that holds it is alive after the bound: a miss is previous_response_not_found, as on OpenAI.
        }

        return true;
    }

    private void Release(string key, Holder holder)
    {
        lock (_lock)
        {
            if (_holders.TryGetValue(key, out var list) && list.Remove(holder) && list.Count == 0)
            {
                _holders.Remove(key);
            }
        }

        holder.Gone.TrySetResult();
    }

    private void EndDetach(string key, Detaching pending)
    {
        lock (_lock)
        {
            if (--pending.Count > 0)
            {
                return;
            }

            _detaching.Remove(key);
        }

        pending.Done.TrySetResult();
    }

    /// <summary>Whether anything is kept at all.</summary>
    public bool Enabled => _ttl > TimeSpan.Zero && _maxTenantBytes > 0;

    /// <summary>Detached states held, all tenants.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                Sweep();
                return _tenants.Values.Sum(t => t.ById.Count);
            }
        }
    }

    /// <summary>The memory one tenant's detached states hold (estimate).</summary>
    public long TenantBytes(string? tenant)
    {
        lock (_lock)
        {
            Sweep();
            return _tenants.TryGetValue(tenant ?? "", out var t) ? t.Bytes : 0;
        }
    }

    /// <summary>Keeps a dropped connection's state; one larger than the tenant's limit is not kept.</summary>
    /// <returns>Whether it was kept.</returns>
    public bool Detach(string? tenant, ConversationState? state)
    {
        if (!Enabled || state?.ResponseId is not { } id || state.ApproximateBytes > _maxTenantBytes)
        {
            return false;
        }

        lock (_lock)
        {
            Sweep();
            string key = tenant ?? "";
            if (!_tenants.TryGetValue(key, out var t))
            {
                t = new TenantEntries();
                _tenants[key] = t;
            }

            if (t.ById.Remove(id, out var old))
            {
                t.Order.Remove(old.Node!);
                t.Bytes -= old.Bytes;
            }

            var entry = new Entry(this, key, id, state, state.ApproximateBytes, _time.GetTimestamp());
            entry.Node = t.Order.AddLast(entry);
            t.ById[id] = entry;
            t.Bytes += entry.Bytes;
            while (t.Bytes > _maxTenantBytes && t.Order.First is { } first)
            {
                Remove(t, first.Value);
            }

            if (!state.IsPacked && t.ById.ContainsKey(id))
            {
                _packer?.Touch(entry);
            }

            return true;
        }
    }

    /// <inheritdoc />
    public ConversationState? TryTakeOver(string? tenant, string responseId)
    {
        if (!Enabled)
        {
            return null;
        }

        lock (_lock)
        {
            Sweep();
            if (!_tenants.TryGetValue(tenant ?? "", out var t) || !t.ById.TryGetValue(responseId, out var entry))
            {
                return null;
            }

            Remove(t, entry);
            return entry.State;
        }
    }

    public void Dispose() => _sweep?.Dispose();

    /// <summary>Packs a detached state still kept (under the lock a take-over takes, so never one being taken over).</summary>
    private void Pack(Entry entry)
    {
        long freed;
        lock (_lock)
        {
            if (!_tenants.TryGetValue(entry.Tenant, out var t) || !t.ById.TryGetValue(entry.ResponseId, out var kept) || kept != entry
                || !entry.State.TryPack())
            {
                return;
            }

            freed = entry.Bytes - entry.State.ApproximateBytes;
            t.Bytes -= freed;
            entry.Bytes -= freed;
        }

        _packer?.CountPacked(freed);
    }

    /// <summary>Drops expired entries (the oldest are first in each tenant's list).</summary>
    private void Sweep()
    {
        lock (_lock)
        {
            List<string>? empty = null;
            foreach (var (key, t) in _tenants)
            {
                while (t.Order.First is { } first && _time.GetElapsedTime(first.Value.DetachedAt) >= _ttl)
                {
                    Remove(t, first.Value);
                }

                if (t.ById.Count == 0)
                {
                    (empty ??= []).Add(key);
                }
            }

            foreach (var key in empty ?? [])
            {
                _tenants.Remove(key);
            }
        }
    }

    private static void Remove(TenantEntries t, Entry e)
    {
        t.Order.Remove(e.Node!);
        t.ById.Remove(e.ResponseId);
        t.Bytes -= e.Bytes;
    }

    private sealed class Entry(DetachedCaches owner, string tenant, string responseId, ConversationState state, long bytes, long detachedAt)
        : IdleTarget
    {
        public string Tenant { get; } = tenant;

        public string ResponseId { get; } = responseId;

        public ConversationState State { get; } = state;

        /// <summary>The memory it holds (estimate); smaller once packed.</summary>
        public long Bytes { get; set; } = bytes;

        public long DetachedAt { get; } = detachedAt;

        public LinkedListNode<Entry>? Node { get; set; }

        internal override void PackIfIdle() => owner.Pack(this);
    }

    private sealed class TenantEntries
    {
        public Dictionary<string, Entry> ById { get; } = new(StringComparer.Ordinal);

        public LinkedList<Entry> Order { get; } = new();

        public long Bytes { get; set; }
    }
}
