using System.Text.Json;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Context;
using Loopwire.Engine.Context.PrefixReuse;
using Loopwire.Engine.Rendering;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Simulation;

namespace Loopwire.Engine.Tests.Context.PrefixReuse;

public sealed class PrefixReuseTests
{
    private static readonly O200kTokenRenderer Renderer = EngineTestKit.Renderer;

    private readonly MemoryResponseStore _store = new();
    private readonly PrefixReuseCache _cache = new();
    private readonly ResponseEngine _cached;
    private readonly ResponseEngine _plain;

    public PrefixReuseTests()
    {
        var backend = new SimulatedBackend(new SimulatedOptions(), Renderer, TimeProvider.System);
        _cached = new ResponseEngine(new ModelRouter(backend), _store, Renderer, TimeProvider.System, prefixCache: _cache);
        _plain = new ResponseEngine(new ModelRouter(backend), _store, Renderer, TimeProvider.System);
    }

    private static CreateResponseRequest Request(IReadOnlyList<ResponseItem> input, string instructions = "Be brief.",
        IReadOnlyList<ToolDefinition>? tools = null, string model = "sim-instant") => new()
    {
        Model = model,
        Input = input,
        Store = false,
        Tools = tools ?? EngineTestKit.WeatherTool,
        Instructions = JsonDocument.Parse(JsonSerializer.Serialize(instructions)).RootElement,
    };

    private static List<ResponseItem> RandomHistory(Random rng, int count)
    {
        var items = new List<ResponseItem>(count);
        for (int i = 0; i < count; i++)
        {
            string words = string.Join(' ', Enumerable.Range(0, rng.Next(1, 60)).Select(_ => "w" + rng.Next(0, 5000)));
            switch (rng.Next(4))
            {
                case 0:
                    items.Add(EngineTestKit.User(words));
                    break;
                case 1:
                    items.Add(new MessageItem { Role = "assistant", Content = MessageContent.FromText(words) });
                    break;
                default:
                    string callId = $"call_{i}_{rng.Next()}";
                    items.Add(new FunctionCallItem { CallId = callId, Name = "get_weather", Arguments = $"{{\"city\":\"{words[..Math.Min(12, words.Length)]}\"}}" });
                    items.Add(new FunctionCallOutputItem { CallId = callId, Output = MessageContent.FromText(words) });
                    i++;
                    break;
            }
        }

        return items;
    }

    private async Task<(RenderedContext Rendered, TurnTimings Timings)> PrepareAsync(ResponseEngine engine, CreateResponseRequest request,
        string? tenant = null)
    {
        var timings = new TurnTimings { Transport = "http" };
        var result = await engine.PrepareAsync(request, new StoreContextSource(_store, tenant), timings);
        Assert.Null(result.Error);
        return (result.Prepared!.State.Rendered!, timings);
    }

    private static int[] Flatten(RenderedContext r) => [.. r.Header, .. r.Items.SelectMany(t => t)];

    /// <summary>Renders through the cache, checks the tokens equal a render without it, returns the items rendered.</summary>
    private async Task<(int ItemsRendered, TurnTimings Timings)> AssertExactAsync(CreateResponseRequest request, string? tenant = null)
    {
        var (viaCache, timings) = await PrepareAsync(_cached, request, tenant);
        var (full, _) = await PrepareAsync(_plain, request, tenant);
        Assert.Equal(Flatten(full), Flatten(viaCache));
        Assert.Equal(full.BlockHashes, viaCache.BlockHashes);
        Assert.Equal(full.ContextHash(), viaCache.ContextHash());
        Assert.Equal(full.TotalTokens, timings.TokensRendered + timings.PrefixTokensReused);
        return (timings.ItemsRendered, timings);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task RandomizedHistory_EveryVariant_TokensEqualFullRenderAndMissFromPointOfChange(int seed)
    {
        var rng = new Random(seed);
        var history = RandomHistory(rng, rng.Next(8, 40));
        int n = history.Count;

        // First sight: nothing known, everything rendered.
        Assert.Equal(n, (await AssertExactAsync(Request(history))).ItemsRendered);

        // The same history plus one item: only the new item is rendered; the turn says it came from the prefix cache.
        var (rendered, timings) = await AssertExactAsync(Request([.. history, EngineTestKit.User("and one more")]));
        Assert.Equal(1, rendered);
        Assert.Equal("prefix", timings.Continuation);
        Assert.True(timings.PrefixTokensReused > 0);

        // An edit in the middle: a miss from the edited item on.
        int k = rng.Next(1, n - 1);
        var edited = history.ToList();
        edited[k] = edited[k] switch
        {
            FunctionCallItem f => f with { Arguments = f.Arguments + " " },
            FunctionCallOutputItem o => o with { Output = MessageContent.FromText($"edited output {seed}") },
            _ => EngineTestKit.User($"edited item {seed}"),
        };
        Assert.Equal(n - k, (await AssertExactAsync(Request(edited))).ItemsRendered);

        // Two items swapped: a miss from the first of them on.
        int s = rng.Next(0, n - 2);
        while (history[s] is FunctionCallItem && history[s + 1] is FunctionCallOutputItem)
        {
            s = (s + 1) % (n - 2);
        }

        var reordered = history.ToList();
        (reordered[s], reordered[s + 1]) = (reordered[s + 1], reordered[s]);
        Assert.Equal(n - s, (await AssertExactAsync(Request(reordered))).ItemsRendered);

        // Changed instructions, tools or model: a miss from the start.
        Assert.Equal(n, (await AssertExactAsync(Request(history, instructions: "Be thorough."))).ItemsRendered);
        Assert.Equal(n, (await AssertExactAsync(Request(history, tools: []))).ItemsRendered);
        Assert.Equal(n, (await AssertExactAsync(Request(history, model: "sim-spark"))).ItemsRendered);

        // A shorter prefix of a known history is all known.
        Assert.Equal(0, (await AssertExactAsync(Request(history.Take(k).ToList()))).ItemsRendered);
    }

    [Fact]
    public async Task KnownHistory_OtherTenant_RendersEverything()
    {
        var history = RandomHistory(new Random(7), 20);
        await AssertExactAsync(Request(history), tenant: "a");

        Assert.Equal(history.Count, (await AssertExactAsync(Request(history), tenant: "b")).ItemsRendered);
        Assert.Equal(0, (await AssertExactAsync(Request(history), tenant: "a")).ItemsRendered);
        Assert.True(_cache.TenantBytes("a") > 0);
        Assert.True(_cache.TenantBytes("b") > 0);
    }

    [Fact]
    public async Task FullTurn_ReplayedWithOutput_RendersOnlyNewItemAndRecordsPrefix()
    {
        var first = new List<ResponseItem> { EngineTestKit.User("please call get_weather for Paris") };
        var timings = new TurnTimings { Transport = "http" };
        var result = await _cached.PrepareAsync(Request(first), new StoreContextSource(_store, null), timings);
        await foreach (var e in _cached.StreamAsync(result.Prepared!))
        {
            _ = e;
        }

        var call = Assert.IsType<FunctionCallItem>(Assert.Single(result.Prepared!.Outcome!.Response.Output));
        var replay = new List<ResponseItem>
        {
            first[0], call, new FunctionCallOutputItem { CallId = call.CallId, Output = MessageContent.FromText("Sunny") },
        };

        // The model's output joined the cache when the turn ended: only the tool output is new.
        var second = new TurnTimings { Transport = "http" };
        var next = await _cached.PrepareAsync(Request(replay), new StoreContextSource(_store, null), second);
        Assert.Null(next.Error);
        Assert.Equal(1, second.ItemsRendered);
        await foreach (var e in _cached.StreamAsync(next.Prepared!))
        {
            _ = e;
        }

        var record = _cached.Recorder.Find(next.Prepared!.Id);
        Assert.NotNull(record);
        Assert.Equal("prefix", record.Continuation);
        Assert.Equal(second.PrefixTokensReused, record.PrefixTokensReused);
        Assert.True(record.PrefixTokensReused > 0);
        Assert.Equal("full", _cached.Recorder.Find(result.Prepared.Id)!.Continuation);
    }

    [Fact]
    public async Task ConnectionContinuation_ItsItemsJoinTheCache_ReplayElsewhereHits()
    {
        var source = new ConnectionContextSource(_store, null, long.MaxValue);
        var kit = new List<ResponseItem> { EngineTestKit.User("hello there") };
        var t1 = new TurnTimings { Transport = "ws" };
        var p1 = (await _cached.PrepareAsync(Request(kit), source, t1)).Prepared!;
        await foreach (var e in _cached.StreamAsync(p1))
        {
            _ = e;
        }

        var delta = new List<ResponseItem> { EngineTestKit.User("a delta item") };
        var t2 = new TurnTimings { Transport = "ws" };
        var p2 = (await _cached.PrepareAsync(Request(delta) with { PreviousResponseId = p1.Id }, source, t2)).Prepared!;
        await foreach (var e in _cached.StreamAsync(p2))
        {
            _ = e;
        }

        // A client replaying the whole conversation elsewhere (a new connection, HTTP) finds all of it.
        var all = p2.State.Items.ToList();
        var (rendered, timings) = await AssertExactAsync(Request([.. all, EngineTestKit.User("next")]));
        Assert.Equal(1, rendered);
        Assert.Equal("prefix", timings.Continuation);
    }

    [Fact]
    public async Task Disabled_NothingReused()
    {
        var backend = new SimulatedBackend(new SimulatedOptions(), Renderer, TimeProvider.System);
        var off = new ResponseEngine(new ModelRouter(backend), _store, Renderer, TimeProvider.System,
            prefixCache: new PrefixReuseCache(new PrefixCacheOptions { Enabled = false }));
        var history = RandomHistory(new Random(3), 10);
        await PrepareAsync(off, Request(history));

        var (_, timings) = await PrepareAsync(off, Request(history));
        Assert.Equal(history.Count, timings.ItemsRendered);
        Assert.Equal(0, timings.PrefixTokensReused);
        Assert.Equal("full", timings.Continuation);
    }
}
