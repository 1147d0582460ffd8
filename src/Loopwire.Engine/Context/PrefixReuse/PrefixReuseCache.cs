using Loopwire.Protocol.Items;

namespace Loopwire.Engine.Context.PrefixReuse;

/// <summary>
/// Per tenant, the rendered tokens of recent conversations, keyed by the links of their hash chain (see
/// <see cref="PrefixKeys"/>): one entry per conversation header and one per item. A lookup walks a request's chain from
/// the start and stops at the first unknown link, so it returns the longest known prefix.
/// </summary>
/// <remarks>
/// Bounded by bytes (all tenants, and per tenant) with least-recently-used eviction; a lookup touches the entries it
/// returns so that the start of a chain is evicted last. Tenants never share entries: each has its own map. Thread-safe
/// (one lock; a lookup is a dictionary probe per item, not a tokenization).
/// </remarks>
public sealed class PrefixReuseCache
{
    private const long EntryOverheadBytes = 96;

    private readonly Dictionary<string, TenantEntries> _tenants = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly long _maxBytes;
    private readonly long _maxTenantBytes;
    private long _bytes;
    private readonly ParsedItemCache? _items;
    private long _clock;

    /// <summary>Creates the cache.</summary>
    /// <param name="options">Its limits; the defaults when null.</param>
    public PrefixReuseCache(PrefixCacheOptions? options = null)
    {
        options ??= new PrefixCacheOptions();
        Enabled = options.Enabled && options.MaxBytes > 0 && options.MaxBytesPerTenant > 0;
        _maxBytes = options.MaxBytes;
        _maxTenantBytes = Math.Min(options.MaxBytesPerTenant, options.MaxBytes);
        _items = Enabled && options.MaxParsedItemBytes > 0 ? new ParsedItemCache(options.MaxParsedItemBytes, options.MaxBytesPerTenant) : null;
    }

    /// <summary>
    /// The items of recent requests by their exact JSON, as <paramref name="tenant"/> sees them, for
    /// <see cref="Protocol.Validation.RequestReader"/>; null when the cache is off.
    /// </summary>
    /// <param name="tenant">The caller's tenant.</param>
    public IItemParseCache? ItemsFor(string? tenant) => _items?.For(tenant);

    /// <summary>The memory the parsed items hold (estimate), all tenants.</summary>
    public long ParsedItemBytes => _items?.Bytes ?? 0;

    /// <summary>Whether the cache is used at all.</summary>
    public bool Enabled { get; }

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

    /// <summary>The memory one tenant's entries hold (estimate).</summary>
    public long TenantBytes(string? tenant)
    {
        lock (_lock)
        {
            return _tenants.TryGetValue(tenant ?? "", out var t) ? t.Bytes : 0;
        }
    }

    /// <summary>The longest known prefix of a conversation: its header tokens (if known) and the tokens of its first items.</summary>
    /// <param name="tenant">The caller's tenant.</param>
    /// <param name="seed">The conversation's seed (<see cref="PrefixKeys.Seed"/>).</param>
    /// <param name="links">The chain's links, one per item.</param>
    internal PrefixHit Lookup(string? tenant, UInt128 seed, ReadOnlySpan<UInt128> links)
    {
        lock (_lock)
        {
            if (!_tenants.TryGetValue(tenant ?? "", out var t))
            {
                return PrefixHit.None;
            }

            var found = new List<int[]>();
            var nodes = new List<Entry>();
            foreach (var link in links)
            {
                if (!t.Map.TryGetValue(link, out var e))
                {
                    break;
                }

                found.Add(e.Tokens);
                nodes.Add(e);
            }

            t.Map.TryGetValue(seed, out var header);
            // Touch back to front: the front of the list (most recent) ends up holding the start of the chain.
            for (int i = nodes.Count - 1; i >= 0; i--)
            {
                t.Touch(nodes[i]);
            }

            if (header is not null)
            {
                t.Touch(header);
            }

            t.LastUsed = ++_clock;
            return new PrefixHit(header?.Tokens, found);
        }
    }

    /// <summary>Adds a conversation's header and the items from <paramref name="from"/> on (entries already held are touched).</summary>
    /// <param name="tenant">The caller's tenant.</param>
    /// <param name="seed">The conversation's seed.</param>
    /// <param name="header">The header tokens, or null to leave the header entry as it is.</param>
    /// <param name="links">The chain's links, aligned with <paramref name="tokens"/>.</param>
    /// <param name="tokens">Every item's tokens.</param>
    /// <param name="from">The first item to add.</param>
    internal void Add(string? tenant, UInt128 seed, int[]? header, ReadOnlySpan<UInt128> links, IReadOnlyList<int[]> tokens, int from)
    {
        lock (_lock)
        {
            string key = tenant ?? "";
            if (!_tenants.TryGetValue(key, out var t))
            {
                t = new TenantEntries();
                _tenants[key] = t;
            }

            t.LastUsed = ++_clock;
            for (int i = Math.Min(links.Length, tokens.Count) - 1; i >= from; i--)
            {
                AddEntry(t, links[i], tokens[i]);
            }

            if (header is not null)
            {
                AddEntry(t, seed, header);
            }

            while (t.Bytes > _maxTenantBytes && t.Lru.Last is { } last)
            {
                Remove(t, last.Value);
            }

            while (_bytes > _maxBytes && Oldest() is { } oldest)
            {
                Remove(oldest, oldest.Lru.Last!.Value);
            }

            if (t.Map.Count == 0)
            {
                _tenants.Remove(key);
            }
        }
    }

    private void AddEntry(TenantEntries t, UInt128 key, int[] tokens)
    {
        if (t.Map.TryGetValue(key, out var existing))
        {
            t.Touch(existing);
            return;
        }

        var e = new Entry(key, tokens, EntryOverheadBytes + tokens.Length * 4L);
        e.Node = t.Lru.AddFirst(e);
        t.Map[key] = e;
        t.Bytes += e.Bytes;
        _bytes += e.Bytes;
    }

    private void Remove(TenantEntries t, Entry e)
    {
        t.Lru.Remove(e.Node!);
        t.Map.Remove(e.Key);
        t.Bytes -= e.Bytes;
        _bytes -= e.Bytes;
    }

    /// <summary>The tenant used least recently that still holds entries.</summary>
    private TenantEntries? Oldest()
    {
        TenantEntries? oldest = null;
        foreach (var t in _tenants.Values)
        {
            if (t.Lru.Count == 0)
            {
                continue;
            }

            if (oldest is null || t.LastUsed < oldest.LastUsed)
            {
                oldest = t;
            }
        }

        return oldest;
    }

    private sealed class Entry(UInt128 key, int[] tokens, long bytes)
    {
        public UInt128 Key { get; } = key;

        public int[] Tokens { get; } = tokens;

        public long Bytes { get; } = bytes;

        public LinkedListNode<Entry>? Node { get; set; }
    }

    private sealed class TenantEntries
    {
        public Dictionary<UInt128, Entry> Map { get; } = [];

        public LinkedList<Entry> Lru { get; } = new();

        public long Bytes { get; set; }

        public long LastUsed { get; set; }

        public void Touch(Entry e)
        {
            if (e.Node!.List is not null && Lru.First != e.Node)
            {
                Lru.Remove(e.Node);
                Lru.AddFirst(e.Node);
            }
        }
    }
}

/// <summary>What a prefix lookup found.</summary>
/// <param name="Header">The header tokens, or null when not held.</param>
/// <param name="Items">The tokens of the conversation's first items, in order; empty on a miss.</param>
internal sealed record PrefixHit(int[]? Header, IReadOnlyList<int[]> Items)
{
    public static PrefixHit None { get; } = new(null, []);
}
