using Loopwire.Engine.Context;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;
using System.Text.Json;

namespace Loopwire.Engine.Tests;

public sealed class ResponseEngineTests
{
    private readonly EngineTestKit _kit = new();

    private static CreateResponseRequest Request(IReadOnlyList<ResponseItem> input, string? previous = null, bool store = true) => new()
    {
        Model = "sim-instant",
        Input = input,
        Tools = EngineTestKit.WeatherTool,
        PreviousResponseId = previous,
        Store = store,
        Instructions = JsonDocument.Parse("\"You are a helpful assistant.\"").RootElement,
    };

    private static string Canonical(IEnumerable<ResponseItem> items) =>
        string.Join('\n', items.Select(i => JsonSerializer.Serialize(i with { Id = null }, ProtocolJsonContext.Wire.ResponseItem)));

    [Fact]
    public async Task StreamAsync_ChainedConversation_EqualsFullReplay()
    {
        // Chained: each turn continues from the previous response held by a connection cache.
        var cache = new ConnectionContextSource(_kit.Store, null, long.MaxValue);
        var (p1, _) = await _kit.RunAsync(Request([EngineTestKit.User("please call get_weather for Paris")], store: false), cache);
        var call = Assert.IsType<FunctionCallItem>(Assert.Single(p1.Outcome!.Response.Output));
        var output = new FunctionCallOutputItem { CallId = call.CallId, Output = MessageContent.FromText("Sunny, 21C") };
        var (p2, _) = await _kit.RunAsync(Request([output], p1.Id, store: false), cache);

        // Full replay: a fresh source, everything resent.
        var fresh = new StoreContextSource(_kit.Store, null);
        var (r1, _) = await _kit.RunAsync(Request([EngineTestKit.User("please call get_weather for Paris")], store: false), fresh);
        var replayCall = Assert.IsType<FunctionCallItem>(Assert.Single(r1.Outcome!.Response.Output));
        var (r2, _) = await _kit.RunAsync(Request(
            [EngineTestKit.User("please call get_weather for Paris"), replayCall,
             new FunctionCallOutputItem { CallId = replayCall.CallId, Output = MessageContent.FromText("Sunny, 21C") }], store: false), fresh);

        Assert.Equal(call.CallId, replayCall.CallId);
        Assert.Equal(Canonical(p1.Outcome!.Response.Output), Canonical(r1.Outcome!.Response.Output));
        Assert.Equal(Canonical(p2.Outcome!.Response.Output), Canonical(r2.Outcome!.Response.Output));
        Assert.Equal(p2.PromptTokens, r2.PromptTokens);
    }

    [Fact]
    public async Task PrepareAsync_CachedContinuation_RendersOnlyNewItems()
    {
        var cache = new ConnectionContextSource(_kit.Store, null, long.MaxValue);
        var history = Enumerable.Range(0, 40).Select(i => (ResponseItem)EngineTestKit.User($"message {i} with some words in it")).ToList();
        var (p1, _) = await _kit.RunAsync(Request(history, store: false), cache);
        Assert.Equal(40, p1.Timings.ItemsRendered);

        var (p2, _) = await _kit.RunAsync(Request([EngineTestKit.User("one more")], p1.Id, store: false), cache);

        Assert.True(p2.Timings.FromCache);
        Assert.Equal(1, p2.Timings.ItemsRendered);
        Assert.True(p2.PromptTokens > p1.PromptTokens);
    }

    [Fact]
    public async Task PrepareAsync_StoreContinuation_RendersWholeChain()
    {
        var http = new StoreContextSource(_kit.Store, null);
        var (p1, _) = await _kit.RunAsync(Request([EngineTestKit.User("hello"), EngineTestKit.User("again")]), http);
        var (p2, _) = await _kit.RunAsync(Request([EngineTestKit.User("third")], p1.Id), http);

        Assert.False(p2.Timings.FromCache);
        Assert.Equal(2 + p1.Outcome!.Response.Output.Count + 1, p2.Timings.ItemsRendered);
    }

    [Fact]
    public async Task PrepareAsync_UnknownCallId_ReturnsErrorAndKeepsCache()
    {
        var cache = new ConnectionContextSource(_kit.Store, null, long.MaxValue);
        var (p1, _) = await _kit.RunAsync(Request([EngineTestKit.User("hi")], store: false), cache);
        var bad = new FunctionCallOutputItem { CallId = "call_missing", Output = MessageContent.FromText("x") };

        var result = await _kit.Engine.PrepareAsync(Request([bad], p1.Id, store: false), cache, new TurnTimings { Transport = "test" });

        Assert.Equal("input[0].call_id", result.Error!.Param);
        Assert.Equal(p1.Id, cache.CachedResponseId);
    }

    [Fact]
    public async Task PrepareAsync_OverContextLimit_FailsAndEvicts()
    {
        var kit = new EngineTestKit();
        var engine = new ResponseEngine(new Loopwire.Engine.Backends.ModelRouter(kit.Backend), kit.Store, EngineTestKit.Renderer, TimeProvider.System,
            new EngineOptions { MaxContextTokens = 200 });
        var cache = new ConnectionContextSource(kit.Store, null, long.MaxValue);
        var first = await engine.PrepareAsync(Request([EngineTestKit.User("hi")], store: false), cache, new TurnTimings { Transport = "t" });
        await foreach (var _ in engine.StreamAsync(first.Prepared!))
        {
        }

        var big = EngineTestKit.User(string.Join(' ', Enumerable.Repeat("word", 500)));
        var second = await engine.PrepareAsync(Request([big], first.Prepared!.Id, store: false), cache, new TurnTimings { Transport = "t" });

        Assert.Equal("context_length_exceeded", second.Error!.Code);
        Assert.Contains("MaxContextTokens", second.Error.Message, StringComparison.Ordinal);
        Assert.Null(cache.CachedResponseId);
    }

    [Fact]
    public async Task StreamAsync_StoreTrue_PersistsBeforeTerminalEvent()
    {
        var http = new StoreContextSource(_kit.Store, null);
        var prepared = (await _kit.Engine.PrepareAsync(Request([EngineTestKit.User("hi")]), http, new TurnTimings { Transport = "t" })).Prepared!;
        await foreach (var e in _kit.Engine.StreamAsync(prepared))
        {
            if (e is ResponseCompletedEvent)
            {
                Assert.NotNull(await _kit.Store.GetAsync(prepared.Id, null));
            }
        }
    }

    [Fact]
    public async Task StreamAsync_StoreTrueOnConnectionOnlyParent_StoresWholeContext()
    {
        var cache = new ConnectionContextSource(_kit.Store, null, long.MaxValue);
        var (p1, _) = await _kit.RunAsync(Request([EngineTestKit.User("first")], store: false), cache);
        var (p2, _) = await _kit.RunAsync(Request([EngineTestKit.User("second")], p1.Id, store: true), cache);

        var items = await Loopwire.Engine.Stores.ConversationLoader.LoadItemsAsync(_kit.Store, p2.Id, null);

        Assert.NotNull(items);
        Assert.Equal(p2.State.Items.Count, items!.Count);
    }

    [Fact]
    public async Task StreamAsync_GenerateFalse_CreatedThenCompletedWithEmptyOutput()
    {
        var cache = new ConnectionContextSource(_kit.Store, null, long.MaxValue);
        var warm = Request([EngineTestKit.User("warm up")], store: false) with { Generate = false };
        var (p1, events) = await _kit.RunAsync(warm, cache);

        Assert.Collection(events, e => Assert.IsType<ResponseCreatedEvent>(e), e => Assert.Empty(Assert.IsType<ResponseCompletedEvent>(e).Response.Output));

        var (p2, _) = await _kit.RunAsync(Request([], p1.Id, store: false), cache);
        Assert.NotEmpty(p2.Outcome!.Response.Output);
    }

    [Fact]
    public async Task StreamAsync_SequenceNumbers_StartAtZeroAndAreContiguous()
    {
        var (_, events) = await _kit.RunAsync(Request([EngineTestKit.User("hello")]), new StoreContextSource(_kit.Store, null));

        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.SequenceNumber));
        Assert.IsType<ResponseCompletedEvent>(events[^1]);
    }

    [Fact]
    public async Task StreamAsync_MaxOutputTokens_EndsIncomplete()
    {
        var request = Request([EngineTestKit.User("tell me a long story")]) with { MaxOutputTokens = 5 };
        var (p, events) = await _kit.RunAsync(request, new StoreContextSource(_kit.Store, null));

        var incomplete = Assert.IsType<ResponseIncompleteEvent>(events[^1]);
        Assert.Equal("max_output_tokens", incomplete.Response.IncompleteDetails!.Reason);
        Assert.Equal(5, p.Outcome!.Response.Usage!.OutputTokens);
    }

    [Fact]
    public async Task PrepareAsync_PreviousStillInProgress_ReturnsInProgressError()
    {
        var running = new Loopwire.Protocol.Responses.ResponseObject { Id = "resp_bg", Status = "in_progress", Model = "sim-instant" };
        await _kit.Store.SaveAsync(new Loopwire.Engine.Stores.StoredResponse("resp_bg", null, null, [EngineTestKit.User("hi")], running));

        var result = await _kit.Engine.PrepareAsync(Request([EngineTestKit.User("next")], "resp_bg"), new StoreContextSource(_kit.Store, null),
            new TurnTimings { Transport = "t" });

        Assert.Equal("previous_response_in_progress", result.Error!.Code);
        Assert.Equal("previous_response_id", result.Error.Param);
    }
}
