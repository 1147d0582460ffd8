using Loopwire.Engine.Context.PrefixReuse;

namespace Loopwire.Engine.Tests.Context.PrefixReuse;

public sealed class PrefixReuseCacheTests
{
    private static UInt128[] Links(int count, int salt) =>
        [.. Enumerable.Range(0, count).Select(i => new UInt128((ulong)salt, (ulong)i + 1))];

    private static int[][] Tokens(int count, int length) => [.. Enumerable.Range(0, count).Select(i => Enumerable.Repeat(i, length).ToArray())];

    [Fact]
    public void Lookup_StopsAtFirstUnknownLink()
    {
        var cache = new PrefixReuseCache();
        var links = Links(5, 1);
        cache.Add("t", 99, [1, 2], links, Tokens(5, 3), 0);

        UInt128[] probe = [links[0], links[1], new UInt128(7, 7), links[3]];
        var hit = cache.Lookup("t", 99, probe);

        Assert.Equal(2, hit.Items.Count);
        Assert.Equal([1, 2], hit.Header!);
    }

    [Fact]
    public void Add_OverTenantLimit_EvictsLeastRecentlyUsedFirst()
    {
        // Each entry: 96 + 4 * 100 bytes = 496; five fit in 2,500.
        var cache = new PrefixReuseCache(new PrefixCacheOptions { MaxBytes = 1_000_000, MaxBytesPerTenant = 2_500 });
        var a = Links(3, 1);
        var b = Links(3, 2);
        cache.Add("t", 1, null, a, Tokens(3, 100), 0);
        cache.Add("t", 2, null, b, Tokens(3, 100), 0);

        Assert.True(cache.TenantBytes("t") <= 2_500);
        // The newest conversation is whole; the oldest lost its tail first, so its start still hits.
        Assert.Equal(3, cache.Lookup("t", 2, b).Items.Count);
        var older = cache.Lookup("t", 1, a).Items.Count;
        Assert.InRange(older, 1, 2);
    }

    [Fact]
    public void Add_OverTotalLimit_EvictsTheLeastRecentlyUsedTenant()
    {
        var cache = new PrefixReuseCache(new PrefixCacheOptions { MaxBytes = 1_500, MaxBytesPerTenant = 1_500 });
        cache.Add("a", 1, null, Links(3, 1), Tokens(3, 100), 0);
        cache.Add("b", 1, null, Links(3, 2), Tokens(3, 100), 0);

        Assert.True(cache.Bytes <= 1_500);
        Assert.Equal(0, cache.TenantBytes("a"));
        Assert.Equal(3, cache.Lookup("b", 1, Links(3, 2)).Items.Count);
    }

    [Fact]
    public void Lookup_OtherTenant_FindsNothing()
    {
        var cache = new PrefixReuseCache();
        var links = Links(3, 1);
        cache.Add("a", 1, [5], links, Tokens(3, 10), 0);

        var hit = cache.Lookup("b", 1, links);
        Assert.Empty(hit.Items);
        Assert.Null(hit.Header);
        Assert.Empty(cache.Lookup(null, 1, links).Items);
    }
}
