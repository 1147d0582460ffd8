namespace Loopwire.Engine.Context.PrefixReuse;

/// <summary>
/// Entries by 128-bit key, per tenant, bounded by bytes (all tenants, and per tenant) with least-recently-used eviction:
/// within a tenant its least recently used entry goes first; across tenants, the tenant used least recently gives one up.
/// The prefix cache's two stores (rendered tokens, parsed items) are built on it.
/// </summary>
/// <remarks>Not thread-safe: its owner holds one lock around every call. Tenants never share entries.</remarks>
internal sealed class TenantLru<TValue>(long maxBytes, long maxTenantBytes)
    where TValue : class
{
    private readonly Dictionary<string, Tenant> _tenants = new(StringComparer.Ordinal);
    private readonly long _maxTenantBytes = Math.Min(maxTenantBytes, maxBytes);
    private long _clock;

    /// <summary>The memory the entries hold (estimate), all tenants.</summary>
    public long Bytes { get; private set; }

    /// <summary>The most one tenant's entries may hold.</summary>
    public long MaxTenantBytes => _maxTenantBytes;

    /// <summary>The memory one tenant's entries hold (estimate).</summary>
    public long TenantBytes(string tenant) => _tenants.TryGetValue(tenant, out var t) ? t.Bytes : 0;

    /// <summary>The entry, without touching it; null when absent.</summary>
    public TValue? Get(string tenant, UInt128 key) =>
        _tenants.TryGetValue(tenant, out var t) && t.Map.TryGetValue(key, out var e) ? e.Value : null;

    /// <summary>Marks the tenant used now (it gives up entries to the global bound after tenants used before it).</summary>
    public void Use(string tenant)
    {
        if (_tenants.TryGetValue(tenant, out var t))
        {
            t.LastUsed = ++_clock;
        }
    }

    /// <summary>Makes an entry the tenant's most recently used.</summary>
    public void Touch(string tenant, UInt128 key)
    {
        if (_tenants.TryGetValue(tenant, out var t) && t.Map.TryGetValue(key, out var e) && t.Lru.First != e.Node)
        {
            t.Lru.Remove(e.Node!);
            t.Lru.AddFirst(e.Node!);
        }
    }

    /// <summary>Adds an entry as the tenant's most recently used; an entry already under the key is replaced or, when
    /// <paramref name="replace"/> is false, kept and touched. Call <see cref="Trim"/> after the adds.</summary>
    public void Set(string tenant, UInt128 key, TValue value, long bytes, bool replace)
    {
        if (!_tenants.TryGetValue(tenant, out var t))
        {
            t = new Tenant(tenant);
            _tenants[tenant] = t;
        }

        t.LastUsed = ++_clock;
        if (t.Map.TryGetValue(key, out var old))
        {
            if (!replace)
            {
                Touch(tenant, key);
                return;
            }

            Remove(t, old);
            _tenants[tenant] = t; // the tenant's only entry may have been the one replaced
        }

        var e = new Entry(key, value, bytes);
        e.Node = t.Lru.AddFirst(e);
        t.Map[key] = e;
        t.Bytes += bytes;
        Bytes += bytes;
    }

    /// <summary>Evicts until <paramref name="tenant"/> and then all tenants are within their bounds; emptied tenants leave.</summary>
    public void Trim(string tenant)
    {
        if (_tenants.TryGetValue(tenant, out var t))
        {
            while (t.Bytes > _maxTenantBytes && t.Lru.Last is { } last)
            {
                Remove(t, last.Value);
            }
        }

        while (Bytes > maxBytes && Oldest() is { } oldest)
        {
            Remove(oldest, oldest.Lru.Last!.Value);
        }
    }

    private void Remove(Tenant t, Entry e)
    {
        t.Lru.Remove(e.Node!);
        t.Map.Remove(e.Key);
        t.Bytes -= e.Bytes;
        Bytes -= e.Bytes;
        if (t.Map.Count == 0)
        {
            _tenants.Remove(t.Name);
        }
    }

    /// <summary>The tenant used least recently (every tenant in the map holds entries).</summary>
    private Tenant? Oldest()
    {
        Tenant? oldest = null;
        foreach (var t in _tenants.Values)
        {
            if (oldest is null || t.LastUsed < oldest.LastUsed)
            {
                oldest = t;
            }
        }

        return oldest;
    }

    private sealed class Entry(UInt128 key, TValue value, long bytes)
    {
        public UInt128 Key { get; } = key;

        public TValue Value { get; } = value;

        public long Bytes { get; } = bytes;

        public LinkedListNode<Entry>? Node { get; set; }
    }

    private sealed class Tenant(string name)
    {
        public string Name { get; } = name;

        public Dictionary<UInt128, Entry> Map { get; } = [];

        public LinkedList<Entry> Lru { get; } = new();

        public long Bytes { get; set; }

        public long LastUsed { get; set; }
    }
}
