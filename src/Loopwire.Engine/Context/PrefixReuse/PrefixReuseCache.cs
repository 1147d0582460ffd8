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

    private readonly TenantLru<int[]> _entries;
    private readonly Lock _lock = new();
    private readonly ParsedItemCache? _items;

    /// <summary>Creates the cache.</summary>
    /// <param name="options">Its limits; the defaults when null.</param>
    public PrefixReuseCache(PrefixCacheOptions? options = null)
    {
        options ??= new PrefixCacheOptions();
        Enabled = options.Enabled && options.MaxBytes > 0 && options.MaxBytesPerTenant > 0;
        _entries = new TenantLru<int[]>(options.MaxBytes, options.MaxBytesPerTenant);
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
                return _entries.Bytes;
            }
        }
    }

    /// <summary>The memory one tenant's entries hold (estimate).</summary>
    public long TenantBytes(string? tenant)
    {
        lock (_lock)
        {
            return _entries.TenantBytes(tenant ?? "");
        }
    }

    /// <summary>The longest known prefix of a conversation: its header tokens (if known) and the tokens of its first items.</summary>
    /// <param name="tenant">The caller's tenant.</param>
    /// <param name="seed">The conversation's seed (<see cref="PrefixKeys.Seed"/>).</param>
    /// <param name="links">The chain's links, one per item.</param>
    internal PrefixHit Lookup(string? tenant, UInt128 seed, ReadOnlySpan<UInt128> links)
    {
        string t = tenant ?? "";
        lock (_lock)
        {
            var found = new List<int[]>();
            foreach (var link in links)
            {
                if (_entries.Get(t, link) is not { } tokens)
                {
                    break;
                }

                found.Add(tokens);
            }

            var header = _entries.Get(t, seed);
            // Touch back to front: the front of the list (most recent) ends up holding the start of the chain.
            for (int i = found.Count - 1; i >= 0; i--)
            {
                _entries.Touch(t, links[i]);
            }

            if (header is not null)
            {
                _entries.Touch(t, seed);
            }

            _entries.Use(t);
            return found.Count == 0 && header is null ? PrefixHit.None : new PrefixHit(header, found);
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
        string t = tenant ?? "";
        lock (_lock)
        {
            for (int i = Math.Min(links.Length, tokens.Count) - 1; i >= from; i--)
            {
                _entries.Set(t, links[i], tokens[i], EntryOverheadBytes + tokens[i].Length * 4L, replace: false);
            }

            if (header is not null)
            {
                _entries.Set(t, seed, header, EntryOverheadBytes + header.Length * 4L, replace: false);
            }

            _entries.Trim(t);
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
