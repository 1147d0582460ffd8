using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.WebSockets.WsJson;
using static Loopwire.Server.Tests.WebSockets.WsTestClient;

namespace Loopwire.Server.Tests.WebSockets;

public sealed class WebSocketQueueTests(ITestOutputHelper output)
{
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
        await using var host = new WsTestHost(output, ("Loopwire:WebSocket:MaxQueuedRequests", "0"));
        await using var ws = await host.ConnectAsync();

        await ws.CreateAsync(Tagged(Slow, "running"));
        await ws.CreateAsync(Tagged(Instant, "refused"));
        var events = new List<JsonElement>();
        JsonElement? error = null;
        for (int i = 0; i < 2 && !events.Any(e => Type(e) == "response.completed"); i++)
        {
            foreach (var e in await ws.ReceiveTurnAsync())
            {
                if (Type(e) == "error")
                {
                    error = e;
                }
                else
                {
                    events.Add(e);
                }
            }
        }

        Assert.NotNull(error);
        Assert.Equal("websocket_queue_full", Code(error.Value));
        Assert.Equal(429, error.Value.GetProperty("status").GetInt32());
        Assert.Equal("response.completed", Type(Last(events)));
        Assert.All(events.Where(e => e.TryGetProperty("response", out _)), e => Assert.Equal("running", Tag(Response(e))));

        // The refused request left nothing behind: the next one runs at once.
        var next = await ws.RunAsync(Tagged(Instant, "next"));
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
