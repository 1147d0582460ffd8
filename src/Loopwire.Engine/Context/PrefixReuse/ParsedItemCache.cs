using System.IO.Hashing;
using Loopwire.Protocol.Items;

namespace Loopwire.Engine.Context.PrefixReuse;

/// <summary>
/// Per tenant, the items of recent requests by their exact UTF-8 JSON, so a client that replays its history has the items it
/// sent before taken as they were parsed (and validated) then, not read again. Part of the prefix cache.
/// </summary>
/// <remarks>
/// Exact: an entry keeps its bytes and is found only for equal bytes (the 128-bit hash only picks the candidate). Bounded by
/// bytes (all tenants, and per tenant) with least-recently-used eviction; tenants never share entries. Thread-safe (one lock).
/// </remarks>
internal sealed class ParsedItemCache
{
    /// <summary>An estimate of an entry's memory beyond its bytes: the parsed item's strings (UTF-16) and the bookkeeping.</summary>
    private const long EntryOverheadBytes = 160;

    private readonly Dictionary<string, TenantItems> _tenants = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly long _maxBytes;
    private readonly long _maxTenantBytes;
    private long _bytes;
    private long _clock;

    public ParsedItemCache(long maxBytes, long maxTenantBytes)
    {
        _maxBytes = maxBytes;
        _maxTenantBytes = Math.Min(maxTenantBytes, maxBytes);
    }

    /// <summary>The memory the entries hold (estimate), all tenants.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The cache as one tenant sees it.</summary>
    public IItemParseCache For(string? tenant) => new TenantView(this, tenant ?? "");

    private ResponseItem? Find(string tenant, ReadOnlySpan<byte> utf8)
    {
        UInt128 key = XxHash128.HashToUInt128(utf8);
        lock (_lock)
        {
            if (!_tenants.TryGetValue(tenant, out var t) || !t.Map.TryGetValue(key, out var e) || !utf8.SequenceEqual(e.Utf8))
            {
                return null;
            }

            if (t.Lru.First != e.Node)
            {
                t.Lru.Remove(e.Node!);
                t.Lru.AddFirst(e.Node!);
            }

            t.LastUsed = ++_clock;
            return e.Item;
        }
    }

    private void Add(string tenant, ReadOnlySpan<byte> utf8, ResponseItem item)
    {
        long bytes = EntryOverheadBytes + utf8.Length * 3L;
        if (bytes > _maxTenantBytes)
        {
            return;
        }

        UInt128 key = XxHash128.HashToUInt128(utf8);
        lock (_lock)
        {
            if (!_tenants.TryGetValue(tenant, out var t))
            {
                t = new TenantItems(tenant);
                _tenants[tenant] = t;
            }

            t.LastUsed = ++_clock;
            if (t.Map.TryGetValue(key, out var old))
            {
                // Another item with this hash (or the same one added twice): the newer one stays.
                Remove(t, old);
            }

            var e = new Entry(key, utf8.ToArray(), item, bytes);
            e.Node = t.Lru.AddFirst(e);
            t.Map[key] = e;
            t.Bytes += bytes;
            _bytes += bytes;
            while (t.Bytes > _maxTenantBytes && t.Lru.Last is { } last)
            {
                Remove(t, last.Value);
            }

            while (_bytes > _maxBytes && Oldest() is { } oldest)
            {
                Remove(oldest, oldest.Lru.Last!.Value);
                if (oldest.Map.Count == 0)
                {
                    // The global bound can empty another tenant than this one: it leaves the map too.
                    _tenants.Remove(oldest.Name);
                }
            }

            if (t.Map.Count == 0)
            {
                _tenants.Remove(tenant);
            }
        }
    }

    private void Remove(TenantItems t, Entry e)
    {
        t.Lru.Remove(e.Node!);
        t.Map.Remove(e.Key);
        t.Bytes -= e.Bytes;
        _bytes -= e.Bytes;
    }

    private TenantItems? Oldest()
    {
        TenantItems? oldest = null;
        foreach (var t in _tenants.Values)
        {
            if (t.Lru.Count > 0 && (oldest is null || t.LastUsed < oldest.LastUsed))
            {
                oldest = t;
            }
        }

        return oldest;
    }

    private sealed class TenantView(ParsedItemCache owner, string tenant) : IItemParseCache
    {
        public ResponseItem? Find(ReadOnlySpan<byte> utf8Json) => owner.Find(tenant, utf8Json);

        public void Add(ReadOnlySpan<byte> utf8Json, ResponseItem item) => owner.Add(tenant, utf8Json, item);
    }

    private sealed class Entry(UInt128 key, byte[] utf8, ResponseItem item, long bytes)
    {
        public UInt128 Key { get; } = key;

        public byte[] Utf8 { get; } = utf8;

        public ResponseItem Item { get; } = item;

        public long Bytes { get; } = bytes;

        public LinkedListNode<Entry>? Node { get; set; }
    }

    private sealed class TenantItems(string name)
    {
        public string Name { get; } = name;

        public Dictionary<UInt128, Entry> Map { get; } = [];

        public LinkedList<Entry> Lru { get; } = new();

        public long Bytes { get; set; }

        public long LastUsed { get; set; }
    }
}
