using System.Text;
using System.Text.Json;
using Loopwire.Engine.Context;
using Loopwire.Engine.Context.PrefixReuse;
using Loopwire.Engine.Rendering;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Validation;

namespace Loopwire.Engine.Tests.Context.PrefixReuse;

public sealed class ParsedItemCacheTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static MessageItem User(string text) => EngineTestKit.User(text);

    [Fact]
    public void Find_SameBytes_TheSameItem_OtherBytes_Nothing()
    {
        var cache = new ParsedItemCache(1_000_000, 1_000_000).For("t");
        var item = User("hi");
        cache.Add(Utf8("""{"role":"user","content":"hi"}"""), item);

        Assert.Same(item, cache.Find(Utf8("""{"role":"user","content":"hi"}""")));
        Assert.Null(cache.Find(Utf8("""{"role":"user","content":"hi" }""")));
        Assert.Null(cache.Find(Utf8("""{"role":"user","content":"ho"}""")));
    }

    [Fact]
    public void Find_OtherTenant_Nothing()
    {
        var items = new ParsedItemCache(1_000_000, 1_000_000);
        items.For("a").Add(Utf8("""{"role":"user","content":"secret"}"""), User("secret"));

        Assert.Null(items.For("b").Find(Utf8("""{"role":"user","content":"secret"}""")));
        Assert.NotNull(items.For("a").Find(Utf8("""{"role":"user","content":"secret"}""")));
    }

    [Fact]
    public void Add_OverTenantLimit_EvictsLeastRecentlyUsed()
    {
        // Each entry: 160 + 3 * 100 bytes = 460; two fit in 1,000.
        var items = new ParsedItemCache(1_000_000, 1_000);
        var cache = items.For("t");
        byte[] Body(char c) => Utf8($$"""{"role":"user","content":"{{new string(c, 72)}}"}""");
        cache.Add(Body('a'), User("a"));
        cache.Add(Body('b'), User("b"));
        Assert.NotNull(cache.Find(Body('a'))); // touched: b is now the least recently used
        cache.Add(Body('c'), User("c"));

        Assert.True(items.Bytes <= 1_000);
        Assert.NotNull(cache.Find(Body('a')));
        Assert.Null(cache.Find(Body('b')));
        Assert.NotNull(cache.Find(Body('c')));
    }

    [Fact]
    public async Task Replay_ThroughTheItemCache_RendersExactlyAsAFullRender()
    {
        // A history sent twice as JSON: the second read takes the items from the cache, and the tokens still equal a render
        // with neither cache.
        var rng = new Random(7);
        var items = new List<string> { """{"type":"message","role":"user","content":"Fix the parser."}""" };
        for (int i = 0; i < 40; i++)
        {
            string words = string.Join(' ', Enumerable.Range(0, rng.Next(1, 80)).Select(_ => "w" + rng.Next(5000)));
            items.Add($$"""{"type":"function_call","call_id":"call_{{i}}","name":"get_weather","arguments":"{\"city\":\"c{{i}}\"}"}""");
            items.Add($$"""{"type":"function_call_output","call_id":"call_{{i}}","output":{{JsonSerializer.Serialize(words)}}}""");
        }

        var body = Utf8($$"""{"model":"sim-instant","store":false,"instructions":"Be brief.","input":[{{string.Join(',', items)}}]}""");
        var prefix = new PrefixReuseCache();
        var kit = new EngineTestKit();
        var cached = new ResponseEngine(kit.Engine.Router, kit.Store, EngineTestKit.Renderer, TimeProvider.System, prefixCache: prefix);
        var cache = cached.ItemParseCache("t")!;

        int[]? first = null;
        for (int round = 0; round < 2; round++)
        {
            Assert.Null(RequestReader.TryParse(body, cache, out var request));
            var timings = new TurnTimings { Transport = "http" };
            var result = await cached.PrepareAsync(request!, new StoreContextSource(kit.Store, "t"), timings);
            Assert.Null(result.Error);
            var tokens = Flatten(result.Prepared!.State.Rendered!);
            first ??= tokens;
            Assert.Equal(first, tokens);
            if (round == 1)
            {
                Assert.Equal(0, timings.ItemsRendered);
            }
        }

        Assert.Null(RequestReader.TryParse(body, out var plainRequest));
        var plain = await kit.Engine.PrepareAsync(plainRequest!, new StoreContextSource(kit.Store, "t"), new TurnTimings { Transport = "http" });
        Assert.Equal(Flatten(plain.Prepared!.State.Rendered!), first);
    }

    private static int[] Flatten(RenderedContext r) => [.. r.Header, .. r.Items.SelectMany(t => t)];
}
