using System.Net.WebSockets;
using Loopwire.Server.Hosting;
using static Loopwire.Server.Tests.WebSockets.LaneJson;
using static Loopwire.Server.Tests.WebSockets.WsJson;
using static Loopwire.Server.Tests.WebSockets.WsTestClient;

namespace Loopwire.Server.Tests.WebSockets;

/// <summary>PROTOCOL.md 8.9 items 1-6 and 14 (lanes, forks, unknown events), over a real loopback socket.</summary>
public sealed class WebSocketLaneTests
{
    internal static async Task<(LoopbackServer Server, WsTestClient Ws)> StartAsync(params (string Key, string Value)[] settings)
    {
        var server = await LoopbackServer.StartAsync(settings.ToDictionary(s => s.Key, s => (string?)s.Value));
        var ws = new ClientWebSocket();
        var url = new UriBuilder(server.BaseUrl) { Scheme = "ws", Path = "/v1/responses" }.Uri;
        await ws.ConnectAsync(url, WsTestHost.GuardToken());
        return (server, new WsTestClient(ws));
    }

    [Fact]
    public async Task Create_WithoutStreamId_EventsHaveNoStreamIdKey()
    {
        var (server, ws) = await StartAsync();
        await using var _ = server;
        await using var __ = ws;

        var events = await ws.RunAsync(Request(Instant, false, Items(User("Hi."))));

        Assert.Equal("response.completed", Type(Last(events)));
        Assert.All(events, e => Assert.False(HasLaneKey(e), Type(e)));
    }

    [Fact]
    public async Task Create_WithStreamId_EveryEventAndErrorEchoesIt()
    {
        var (server, ws) = await StartAsync();
        await using var _ = server;
        await using var __ = ws;

        var events = await ws.RunAsync(OnLane(Request(Instant, false, Items(User("Hi."))), "a"));
        var error = await ws.RunAsync(OnLane(Request(Instant, false, Items(User("Again.")), previousResponseId: "resp_missing"), "a"));

        Assert.Equal("response.completed", Type(Last(events)));
        Assert.All(events, e => Assert.Equal("a", Lane(e)));
        var e = Assert.Single(error);
        Assert.Equal("previous_response_not_found", Code(e));
        Assert.Equal("a", Lane(e));
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("7")]
    [InlineData("\"a/b\"")]
    [InlineData("long")]
    public async Task Create_InvalidStreamId_InvalidStreamIdAndNothingRuns(string streamId)
    {
        var (server, ws) = await StartAsync();
        await using var _ = server;
        await using var __ = ws;
        string value = streamId == "long" ? $"\"{new string('x', 257)}\"" : streamId;

        await ws.SendTextAsync($$"""{"type":"response.create","stream_id":{{value}},"model":"{{Instant}}","input":"hi","store":false}""");
        var error = await ws.ReceiveAsync();
        var next = await ws.RunAsync(Request(Instant, false, Items(User("Hi."))));

        Assert.Equal("invalid_stream_id", Code(error!.Value));
        Assert.Equal("stream_id", error.Value.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal(400, error.Value.GetProperty("status").GetInt32());
        Assert.False(HasLaneKey(error.Value));
        Assert.Equal("response.created", Type(next[0]));
        Assert.Equal("response.completed", Type(Last(next)));
    }

    [Fact]
    public async Task SameLane_SecondCreatedAfterFirstTerminal_TwoLanesInterleave()
    {
        var (server, ws) = await StartAsync();
        await using var _ = server;
        await using var __ = ws;

        await ws.CreateAsync(OnLane(Request(Slow, false, Items(User("First on a."))), "a"));
        await ws.CreateAsync(OnLane(Request(Slow, false, Items(User("Second on a."))), "a"));
        await ws.CreateAsync(OnLane(Request(Slow, false, Items(User("First on b."))), "b"));
        var events = await ws.ReceiveTerminalsAsync(3);

        var a = events.Where(e => Lane(e) == "a").ToList();
        int firstTerminal = a.FindIndex(IsResponseTerminal);
        int secondCreated = a.FindLastIndex(e => Type(e) == "response.created");
        Assert.True(firstTerminal < secondCreated, "lane a is FIFO without overlap");
        AssertContiguousSequence(a[..(firstTerminal + 1)]);
        AssertContiguousSequence(a[(firstTerminal + 1)..]);
        // Lane b started while lane a's first response was still streaming.
        int bCreated = events.FindIndex(e => Lane(e) == "b" && Type(e) == "response.created");
        int aFirstTerminal = events.FindIndex(e => Lane(e) == "a" && IsResponseTerminal(e));
        Assert.True(bCreated < aFirstTerminal, "lanes run concurrently");
        Assert.All(events, e => Assert.NotNull(Lane(e)));
    }

    [Fact]
    public async Task ActiveLimitReached_ExtraCreateQueuedNotRefused()
    {
        var (server, ws) = await StartAsync(("Loopwire:WebSocket:MaxActiveResponses", "2"));
        await using var _ = server;
        await using var __ = ws;

        foreach (var lane in new[] { "a", "b", "c" })
        {
            await ws.CreateAsync(OnLane(Request(Slow, false, Items(User($"On {lane}."))), lane));
        }

        var events = await ws.ReceiveTerminalsAsync(3);

        Assert.DoesNotContain(events, e => Type(e) == "error");
        Assert.Equal(3, events.Count(e => Type(e) == "response.completed"));
        int cCreated = events.FindIndex(e => Lane(e) == "c" && Type(e) == "response.created");
        Assert.True(events.FindIndex(IsResponseTerminal) < cCreated, "the third waits for an active slot");
    }

    [Fact]
    public void Options_Defaults_SixteenActiveThirtyTwoLanes()
    {
        var options = new WebSocketModeOptions();

        Assert.Equal(16, options.MaxActiveResponses);
        Assert.Equal(32, options.MaxStreamsPerConnection);
    }

    [Fact]
    public async Task ThirtyThirdNamedLane_StreamLimitReached_DefaultLaneStillWorks()
    {
        var (server, ws) = await StartAsync();
        await using var _ = server;
        await using var __ = ws;

        for (int i = 0; i < 32; i++)
        {
            Assert.Equal("response.completed", Type(Last(await ws.RunAsync(OnLane(Request(Instant, false, Items(User("Hi."))), $"lane{i}")))));
        }

        var refused = Assert.Single(await ws.RunAsync(OnLane(Request(Instant, false, Items(User("Hi."))), "lane32")));
        var again = await ws.RunAsync(OnLane(Request(Instant, false, Items(User("Hi."))), "lane0"));
        var fallback = await ws.RunAsync(Request(Instant, false, Items(User("Hi."))));

        Assert.Equal("websocket_stream_limit_reached", Code(refused));
        Assert.Equal("stream_id", refused.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal("lane32", Lane(refused));
        Assert.Equal("response.completed", Type(Last(again)));
        Assert.Equal("response.completed", Type(Last(fallback)));
    }

    [Fact]
    public async Task StoreFalse_ParentNoLongerCachedOnAnyLane_PreviousResponseNotFoundOnLane()
    {
        var (server, ws) = await StartAsync();
        await using var _ = server;
        await using var __ = ws;
        var first = await ws.RunAsync(OnLane(Request(Instant, false, Items(User("Hi."))), "a"));
        string firstId = Id(Last(first));
        Assert.Equal("response.completed", Type(Last(await ws.RunAsync(OnLane(Request(Instant, false, Items(User("On.")), previousResponseId: firstId), "a")))));

        var error = Assert.Single(await ws.RunAsync(OnLane(Request(Instant, false, Items(User("Fork.")), previousResponseId: firstId), "b")));

        Assert.Equal("previous_response_not_found", Code(error));
        Assert.Equal("previous_response_id", error.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal("b", Lane(error));
    }

    [Fact]
    public async Task Fork_LaneAOntoLaneB_BothBranchesRunAndAContinues()
    {
        var (server, ws) = await StartAsync();
        await using var _ = server;
        await using var __ = ws;
        var root = await ws.RunAsync(OnLane(Request(Instant, false, Items(User("Root."))), "a"));
        string rootId = Id(Last(root));

        var fork = await ws.RunAsync(OnLane(Request(Instant, false, Items(User("Branch b.")), previousResponseId: rootId), "b"));
        var cont = await ws.RunAsync(OnLane(Request(Instant, false, Items(User("Branch a.")), previousResponseId: rootId), "a"));
        var forkNext = await ws.RunAsync(OnLane(Request(Instant, false, Items(User("More b.")), previousResponseId: Id(Last(fork))), "b"));
        var contNext = await ws.RunAsync(OnLane(Request(Instant, false, Items(User("More a.")), previousResponseId: Id(Last(cont))), "a"));

        Assert.All(new[] { fork, cont, forkNext, contNext }, t => Assert.Equal("response.completed", Type(Last(t))));
        Assert.Equal(rootId, Response(Last(fork)).GetProperty("previous_response_id").GetString());
        Assert.Equal(rootId, Response(Last(cont)).GetProperty("previous_response_id").GetString());
        Assert.Equal("b", Lane(Last(forkNext)));
        Assert.Equal("a", Lane(Last(contNext)));
    }

    [Fact]
    public async Task FailedFork_KeepsParent_FailedSameLaneContinuation_EvictsIt()
    {
        var (server, ws) = await StartAsync(("Loopwire:MaxContextTokens", "300"));
        await using var _ = server;
        await using var __ = ws;
        var root = await ws.RunAsync(OnLane(Request(Instant, false, Items(User("Root."))), "a"));
        string rootId = Id(Last(root));
        string big = string.Join(' ', Enumerable.Repeat("overflow", 400));

        var failedFork = Assert.Single(await ws.RunAsync(OnLane(Request(Instant, false, Items(User(big)), previousResponseId: rootId), "b")));
        var cont = await ws.RunAsync(OnLane(Request(Instant, false, Items(User("Still here.")), previousResponseId: rootId), "a"));
        string contId = Id(Last(cont));
        var failedSame = Assert.Single(await ws.RunAsync(OnLane(Request(Instant, false, Items(User(big)), previousResponseId: contId), "a")));
        var evicted = Assert.Single(await ws.RunAsync(OnLane(Request(Instant, false, Items(User("Short.")), previousResponseId: contId), "a")));

        Assert.Equal("context_length_exceeded", Code(failedFork));
        Assert.Equal("b", Lane(failedFork));
        Assert.Equal("response.completed", Type(Last(cont)));
        Assert.Equal("context_length_exceeded", Code(failedSame));
        Assert.Equal("previous_response_not_found", Code(evicted));
    }

    [Fact]
    public async Task UnknownEventAndResponseProcessed_SocketStaysOpen()
    {
        var (server, ws) = await StartAsync();
        await using var _ = server;
        await using var __ = ws;
        var first = await ws.RunAsync(Request(Instant, false, Items(User("Hi."))));

        await ws.SendTextAsync($$"""{"type":"response.processed","response_id":"{{Id(Last(first))}}"}""");
        await ws.SendTextAsync("""{"type":"response.telepathy","x":1}""");
        var error = await ws.ReceiveAsync();
        var next = await ws.RunAsync(Request(Instant, false, Items(User("Still open?"))));

        Assert.Equal("unknown_message_type", Code(error!.Value));
        Assert.Equal("response.created", Type(next[0]));
        Assert.Equal("response.completed", Type(Last(next)));
        Assert.Equal(WebSocketState.Open, ws.Socket.State);
    }

}
