using Xunit.Abstractions;
using static Loopwire.Server.Tests.WebSockets.WsJson;
using static Loopwire.Server.Tests.WebSockets.WsTestClient;

namespace Loopwire.Server.Tests.WebSockets;

public sealed class WebSocketEvictionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Continuation_FailsAfterTakingCachedState_EvictsEntry()
    {
        await using var host = new WsTestHost(output, ("Loopwire:MaxContextTokens", "300"));
        await using var ws = await host.ConnectAsync();
        var first = await ws.RunAsync(Request(Instant, false, Items(User("Hi."))));
        Assert.Equal("response.completed", Type(Last(first)));
        string cachedId = Response(Last(first)).GetProperty("id").GetString()!;

        string big = string.Join(' ', Enumerable.Repeat("overflow", 400));
        var failed = await ws.RunAsync(Request(Instant, false, Items(User(big)), previousResponseId: cachedId));
        var error = Assert.Single(failed);
        Assert.Equal("context_length_exceeded", Code(error));
        Assert.Equal(400, error.GetProperty("status").GetInt32());

        var retry = await ws.RunAsync(Request(Instant, false, Items(User("Short.")), previousResponseId: cachedId));
        Assert.Equal("previous_response_not_found", Code(Assert.Single(retry)));

        var full = await ws.RunAsync(Request(Instant, false, Items(User("Hi again, from scratch."))));
        Assert.Equal("response.completed", Type(Last(full)));
    }

    [Fact]
    public async Task Continuation_UnknownCallIdRejectedBeforeContext_KeepsEntry()
    {
        await using var host = new WsTestHost(output);
        await using var ws = await host.ConnectAsync();
        var first = await ws.RunAsync(Request(Instant, false, Items(User("Hi.")), tools: true));
        string cachedId = Response(Last(first)).GetProperty("id").GetString()!;

        var rejected = await ws.RunAsync(Request(Instant, false, Items(ToolOutput("call_unknown", "42")), tools: true, previousResponseId: cachedId));
        var error = Assert.Single(rejected);
        Assert.Equal(400, error.GetProperty("status").GetInt32());
        Assert.Equal("input[0].call_id", error.GetProperty("error").GetProperty("param").GetString());

        var next = await ws.RunAsync(Request(Instant, false, Items(User("Go on.")), tools: true, previousResponseId: cachedId));
        Assert.Equal("response.completed", Type(Last(next)));
        Assert.Equal(cachedId, Response(Last(next)).GetProperty("previous_response_id").GetString());

        // Nothing of the rejected request stuck to the context: a full replay without it costs the same.
        await using var fresh = await host.ConnectAsync();
        var answer = Response(Last(first)).GetProperty("output")[0];
        var replay = await fresh.RunAsync(Request(Instant, false, Items(User("Hi."), ToNode(answer), User("Go on.")), tools: true));
        Assert.Equal(Response(Last(replay)).GetProperty("usage").GetProperty("input_tokens").GetInt32(),
            Response(Last(next)).GetProperty("usage").GetProperty("input_tokens").GetInt32());
    }
}
