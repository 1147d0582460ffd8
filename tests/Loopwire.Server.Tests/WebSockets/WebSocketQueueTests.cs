using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.TestKit;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.WebSockets.LaneJson;
using static Loopwire.Server.Tests.WebSockets.WsJson;
using static Loopwire.Server.Tests.WebSockets.WsTestClient;

namespace Loopwire.Server.Tests.WebSockets;

public sealed class WebSocketQueueTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task ResponseCreate_TwoBackToBack_BothCompleteInFifoOrder()
    {
        await using var host = new WsTestHost(output);
        await using var ws = await host.ConnectAsync();

        await ws.CreateAsync(Tagged(Instant, "first"));
        await ws.CreateAsync(Tagged(Instant, "second"));
        var events = new List<JsonElement>();
        events.AddRange(await ws.ReceiveTurnAsync());
        events.AddRange(await ws.ReceiveTurnAsync());

        var created = events.Where(e => Type(e) == "response.created").Select(e => Tag(Response(e))).ToList();
        var completed = events.Where(e => Type(e) == "response.completed").Select(e => Tag(Response(e))).ToList();
        Assert.Equal(["first", "second"], created);
        Assert.Equal(["first", "second"], completed);
        int firstCompleted = events.FindIndex(e => Type(e) == "response.completed");
        int secondCreated = events.FindLastIndex(e => Type(e) == "response.created");
        Assert.True(firstCompleted < secondCreated, "the second response must start after the first completed");
        AssertContiguousSequence(events[..(firstCompleted + 1)]);
        AssertContiguousSequence(events[(firstCompleted + 1)..]);
    }

    [Fact]
    public async Task ResponseCreate_QueueFullWhileOneRuns_QueueFullErrorAndFirstCompletes()
    {
        // The simulated model runs on a fake clock that stands still until the refusal has arrived, so the first response is
        // certainly still running when the second create reaches the server (in real time, under load, it could finish first).
        var time = new FakeTimeProvider();
        await using var host = new WsTestHost(time, output, ("Loopwire:WebSocket:MaxQueuedRequests", "0"));
        await using var ws = await host.ConnectAsync();

        await ws.CreateAsync(Tagged(Slow, "running"));
        await ws.CreateAsync(Tagged(Instant, "refused"));
        var head = await ws.ReceiveUntilAsync(ev => ev.Any(e => Type(e) == "error"));
        var error = head.Single(e => Type(e) == "error");
        Assert.Equal("websocket_queue_full", Code(error));
        Assert.Equal(429, error.GetProperty("status").GetInt32());
        Assert.DoesNotContain(head, IsResponseTerminal);

        // Only now may the first response finish; it is the only one that ran.
        var events = head.Where(e => Type(e) != "error").ToList();
        events.AddRange(await time.AdvanceUntilDoneAsync(ws.ReceiveTurnAsync(), Step));
        Assert.Equal("response.completed", Type(Last(events)));
        Assert.All(events.Where(e => e.TryGetProperty("response", out _)), e => Assert.Equal("running", Tag(Response(e))));
        Assert.Single(events, e => Type(e) == "response.created");

        // The refused request left nothing behind: the next one runs at once.
        await ws.CreateAsync(Tagged(Instant, "next"));
        var next = await time.AdvanceUntilDoneAsync(ws.ReceiveTurnAsync(), Step);
        Assert.Equal("next", Tag(Response(next[0])));
        Assert.Equal("response.completed", Type(Last(next)));
    }

    private static JsonObject Tagged(string model, string tag)
    {
        var body = Request(model, false, Items(User($"This is the {tag} request.")));
        body["metadata"] = new JsonObject { ["tag"] = tag };
        return body;
    }

    private static string Tag(JsonElement response) => response.GetProperty("metadata").GetProperty("tag").GetString()!;
}
