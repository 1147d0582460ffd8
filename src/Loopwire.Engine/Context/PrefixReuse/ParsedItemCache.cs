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

    private readonly TenantLru<Entry> _entries;
    private readonly Lock _lock = new();

    public ParsedItemCache(long maxBytes, long maxTenantBytes)
    {
        _entries = new TenantLru<Entry>(maxBytes, maxTenantBytes);
    }

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

    /// <summary>The cache as one tenant sees it.</summary>
    public IItemParseCache For(string? tenant) => new TenantView(this, tenant ?? "");

    private ResponseItem? Find(string tenant, ReadOnlySpan<byte> utf8)
    {
        UInt128 key = XxHash128.HashToUInt128(utf8);
        lock (_lock)
        {
            if (_entries.Get(tenant, key) is not { } e || !utf8.SequenceEqual(e.Utf8))
            {
                return null;
            }

            _entries.Touch(tenant, key);
            _entries.Use(tenant);
            return e.Item;
        }
    }

    private void Add(string tenant, ReadOnlySpan<byte> utf8, ResponseItem item)
    {
        long bytes = EntryOverheadBytes + utf8.Length * 3L;
        if (bytes > _entries.MaxTenantBytes)
        {
            return;
        }

        UInt128 key = XxHash128.HashToUInt128(utf8);
        var entry = new Entry(utf8.ToArray(), item);
        lock (_lock)
        {
            // Another item with this hash (or the same one added twice): the newer one stays.
            _entries.Set(tenant, key, entry, bytes, replace: true);
            _entries.Trim(tenant);
        }
    }

    private sealed class TenantView(ParsedItemCache owner, string tenant) : IItemParseCache
    {
        public ResponseItem? Find(ReadOnlySpan<byte> utf8Json) => owner.Find(tenant, utf8Json);

        public void Add(ReadOnlySpan<byte> utf8Json, ResponseItem item) => owner.Add(tenant, utf8Json, item);
    }

    private sealed record Entry(byte[] Utf8, ResponseItem Item);
}
