using System.Net.ServerSentEvents;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Grpc.Net.Client;
using Loopwire.Grpc;
using Loopwire.Server.Hosting;
using Loopwire.Server.Tests.Grpc;
using Loopwire.Server.WebSockets;
using Loopwire.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Loopwire.Server.Tests.WebSockets.LaneJson;
using static Loopwire.Server.Tests.WebSockets.WsJson;
using static Loopwire.Server.Tests.WebSockets.WsTestClient;

namespace Loopwire.Server.Tests.WebSockets;

/// <summary>
/// Over real Kestrel sockets, where both transports cork theirs (WebSocket frames, SSE events): what was sent before the model
/// waits reaches the client during the wait, and a turn's events arrive complete and in order. The simulated model runs on a fake clock, so
/// "the model waits" is exact: the clock does not move until the test moves it.
/// </summary>
public sealed class CorkedSendTests : IAsyncLifetime
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(20);
    private readonly FakeTimeProvider _time = new();
    private WebApplication? _app;
    private Uri? _url;
    private Uri? _http;
    private Uri? _grpc;

    public async Task InitializeAsync()
    {
        _app = LoopwireHost.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Loopwire:Store"] = "memory",
                ["Logging:LogLevel:Default"] = "Warning",
                [Loopwire.Server.Grpc.GrpcCleartextEndpoint.PortKey] = "0",
            });
            b.WebHost.UseUrls("http://127.0.0.1:0");
            b.Services.AddSingleton<TimeProvider>(_time);
        });
        await _app.StartAsync();
        _grpc = _app.Services.GetRequiredService<Loopwire.Server.Grpc.GrpcCleartextEndpoint>().Url!;
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(a => new Uri(a).Port != _grpc.Port).TrimEnd('/');
        _http = new Uri(address + "/v1/responses");
        _url = new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal) + "/v1/responses");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task<WsTestClient> ConnectAsync()
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(_url!, WsTestHost.GuardToken());
        return new WsTestClient(socket);
    }

    [Fact]
    public async Task ModelWaiting_WhatWasSentBeforeTheWaitReachesTheClient()
    {
        await using var ws = await ConnectAsync();
        await ws.CreateAsync(Request(Slow, false, Items(User("Tell me about sockets."))));

        // The clock stands still: the model waits for its first token, and the lane flushed before waiting.
        var head = await ws.ReceiveUntilAsync(ev => ev.Any(e => Type(e) == "response.in_progress"), WsTestHost.GuardToken());
        Assert.Equal(["response.created", "response.in_progress"], head.Select(Type));

        // Each token as it comes: the client sees the first delta while the rest of the answer is still to be generated.
        var upToDelta = await _time.AdvanceUntilDoneAsync(
            ws.ReceiveUntilAsync(ev => ev.Any(e => Type(e) == "response.output_text.delta"), WsTestHost.GuardToken()), Step);
        var firstDeltaAt = _time.GetUtcNow();
        var rest = await _time.AdvanceUntilDoneAsync(ws.ReceiveTurnAsync(WsTestHost.GuardToken()), Step);
        Assert.Contains(rest, e => Type(e) == "response.output_text.delta");
        // The clock had to move on for the rest: the first delta did not wait for the end of the answer.
        Assert.True(firstDeltaAt < _time.GetUtcNow(), "the first delta arrived only with the end of the answer");
        Assert.All(_app!.Services.GetRequiredService<WebSocketConnectionRegistry>().Snapshot(), c => Assert.True(c.SendsTogether));
        Assert.Equal("response.completed", Type(rest[^1]));
        AssertInOrder([.. head, .. upToDelta, .. rest]);
    }

    [Fact]
    public async Task InstantModel_ManyTurnsArriveCompleteAndInOrder()
    {
        await using var ws = await ConnectAsync();
        string? previous = null;
        for (int turn = 0; turn < 20; turn++)
        {
            var body = Request("sim-instant", false, Items(User($"Turn {turn}: list three files.")), previousResponseId: previous);
            await ws.CreateAsync(body);
            var events = await ws.ReceiveTurnAsync(WsTestHost.GuardToken());
            Assert.Equal("response.created", Type(events[0]));
            Assert.Equal("response.completed", Type(events[^1]));
            AssertInOrder(events);

            // The streamed deltas add up to the completed message's text.
            string streamed = string.Concat(events.Where(e => Type(e) == "response.output_text.delta").Select(e => e.GetProperty("delta").GetString()));
            Assert.Equal(Text(events[^1]), streamed);
            previous = Id(events[^1]);
        }

        var open = _app!.Services.GetRequiredService<WebSocketConnectionRegistry>().Snapshot();
        Assert.True(Assert.Single(open).SendsTogether); // the middleware put the corkable transport under this socket
    }

    [Fact]
    public async Task Sse_ModelWaiting_WhatWasWrittenBeforeTheWaitReachesTheClient()
    {
        var body = Request(Slow, false, Items(User("Tell me about sockets.")));
        body["stream"] = true;
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, _http) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, WsTestHost.GuardToken());
        Assert.Equal(200, (int)response.StatusCode);
        await using var stream = await response.Content.ReadAsStreamAsync(WsTestHost.GuardToken());
        await using var events = SseParser.Create(stream).EnumerateAsync(WsTestHost.GuardToken()).GetAsyncEnumerator();

        async Task<JsonElement> NextAsync()
        {
            Assert.True(await events.MoveNextAsync());
            return JsonDocument.Parse(events.Current.Data).RootElement.Clone();
        }

        await ReadWhileTheModelWaitsAsync(NextAsync);
    }

    [Fact]
    public async Task Grpc_ModelWaiting_WhatWasWrittenBeforeTheWaitReachesTheClient()
    {
        using var channel = GrpcChannel.ForAddress(_grpc!);
        using var call = new Responses.ResponsesClient(channel).Connect(cancellationToken: WsTestHost.GuardToken());
        await call.RequestStream.WriteAsync(GrpcWire.Create(Request(Slow, false, Items(User("Tell me about sockets.")))));

        async Task<JsonElement> NextAsync()
        {
            Assert.True(await call.ResponseStream.MoveNext(WsTestHost.GuardToken()));
            return JsonDocument.Parse(call.ResponseStream.Current.Json.Memory).RootElement.Clone();
        }

        var all = await ReadWhileTheModelWaitsAsync(NextAsync);

        // A second turn on the same stream, ready at once: it arrives complete too.
        var second = Request("sim-instant", false, Items(User("And again.")), previousResponseId: Id(all[^1]));
        var events = await GrpcWire.RunAsync(call, GrpcWire.Create(second));
        Assert.Equal("response.completed", Type(events[^1]));
        AssertInOrder(events);
    }

    [Fact]
    public async Task NamedLanes_SideBySideOnOneSocket_EachLaneCompleteAndInOrder()
    {
        await using var ws = await ConnectAsync();
        await ws.CreateAsync(OnLane(Request("sim-instant", false, Items(User("Lane a: list three files."))), "a"));
        await ws.CreateAsync(OnLane(Request("sim-instant", false, Items(User("Lane b: read the readme."))), "b"));

        var events = await ws.ReceiveUntilAsync(ev => ev.Count(IsResponseTerminal) >= 2, WsTestHost.GuardToken());

        foreach (var lane in new[] { "a", "b" })
        {
            var mine = events.Where(e => Lane(e) == lane).ToList();
            AssertInOrder(mine);
            Assert.Equal("response.completed", Type(mine[^1]));
            string streamed = string.Concat(mine.Where(e => Type(e) == "response.output_text.delta").Select(e => e.GetProperty("delta").GetString()));
            Assert.Equal(Text(mine[^1]), streamed);
        }

        Assert.Equal(events.Count, events.Count(e => Lane(e) is "a" or "b"));
    }

    /// <summary>
    /// Reads a slow answer from its first event: <c>created</c> and <c>in_progress</c> with the clock standing still (the model
    /// waits for its first token, so the stream was flushed before the wait), then the rest while the clock moves.
    /// </summary>
    /// <returns>The events after <c>in_progress</c>, up to the terminal one.</returns>
    private async Task<List<JsonElement>> ReadWhileTheModelWaitsAsync(Func<Task<JsonElement>> next)
    {
        Assert.Equal("response.created", Type(await next()));
        Assert.Equal("response.in_progress", Type(await next()));

        var all = new List<JsonElement>();
        var read = Task.Run(async () =>
        {
            while (all.Count == 0 || !IsTerminal(all[^1]))
            {
                all.Add(await next());
            }
        });
        await _time.AdvanceUntilDoneAsync(read, Step);
        Assert.Contains(all, e => Type(e) == "response.output_text.delta");
        Assert.Equal("response.completed", Type(all[^1]));
        Assert.Equal(Enumerable.Range(2, all.Count), all.Select(e => e.GetProperty("sequence_number").GetInt32()));
        return all;
    }

    /// <summary>Sequence numbers run 0, 1, 2, … within a response.</summary>
    private static void AssertInOrder(List<JsonElement> events) =>
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.GetProperty("sequence_number").GetInt32()));
}
