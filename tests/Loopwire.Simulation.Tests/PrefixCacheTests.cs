using Loopwire.Engine.Rendering;

namespace Loopwire.Simulation.Tests;

/// <summary>
/// The simulated model's prefix cache: a context's note lets a continuation look up only its new blocks, and the answer is
/// always the one a full lookup gives (a note is ignored once the cache dropped anything, or when it is another cache's).
/// </summary>
public sealed class PrefixCacheTests
{
    private static RenderedContext Context(int blocks, int salt = 0)
    {
        var context = new RenderedContext([]);
        Append(context, blocks, salt);
        return context;
    }

    private static void Append(RenderedContext context, int blocks, int salt) =>
        context.Append(Enumerable.Range(salt * 1_000_000 + context.TotalTokens, blocks * RenderedContext.BlockSize).ToArray());

    [Fact]
    public void LookupAndInsert_GrowingContext_HitsWhatItHadAndNotesTheRest()
    {
        var cache = new PrefixCache();
        var context = Context(3);

        Assert.Equal(0, cache.LookupAndInsert(context));
        Assert.Equal(3, context.CachedPrefix!.Blocks);
        Append(context, 2, 0);
        Assert.Equal(3, cache.LookupAndInsert(context));
        Assert.Equal(5, cache.LookupAndInsert(context));
        Assert.Equal(5, cache.Count);
    }

    [Fact]
    public void LookupAndInsert_NoteAndFullLookup_GiveTheSameHits()
    {
        var noted = new PrefixCache();
        var full = new PrefixCache();
        var context = Context(4);
        noted.LookupAndInsert(context);
        full.LookupAndInsert(context.BlockHashes);
        Append(context, 3, 0);

        Assert.Equal(full.LookupAndInsert(context.BlockHashes), noted.LookupAndInsert(context));
    }

    [Fact]
    public void LookupAndInsert_AfterClear_IgnoresTheNote()
    {
        var cache = new PrefixCache();
        var context = Context(3);
        cache.LookupAndInsert(context);
        cache.Clear();

        Assert.Equal(0, cache.LookupAndInsert(context));
        Assert.Equal(3, cache.Count);
    }

    [Fact]
    public void LookupAndInsert_AfterEviction_IgnoresTheNote()
    {
        var cache = new PrefixCache(capacity: 4);
        var context = Context(3);
        cache.LookupAndInsert(context);
        // Two other contexts fill the cache past its capacity: the oldest half, this context's blocks among them, goes.
        cache.LookupAndInsert(Context(2, salt: 1));
        cache.LookupAndInsert(Context(2, salt: 2));

        int hits = cache.LookupAndInsert(context);

        Assert.True(hits < 3, $"the evicted blocks were counted as cached ({hits} hits)");
    }

    [Fact]
    public void LookupAndInsert_AnotherCachesNote_IsIgnored()
    {
        var first = new PrefixCache();
        var second = new PrefixCache();
        var context = Context(3);
        first.LookupAndInsert(context);

        Assert.Equal(0, second.LookupAndInsert(context));
    }

    [Fact]
    public void TruncateItems_ShortensTheNote()
    {
        var cache = new PrefixCache();
        var context = Context(1);
        Append(context, 2, 0);
        cache.LookupAndInsert(context);

        context.TruncateItems(1);

        Assert.Equal(1, context.CachedPrefix!.Blocks);
        Assert.Equal(1, cache.LookupAndInsert(context));
    }
}
