using Loopwire.Engine;
using Loopwire.Server.WebSockets;
using Loopwire.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.WebSockets.WsJson;
using static Loopwire.Server.Tests.WebSockets.WsTestClient;

namespace Loopwire.Server.Tests.WebSockets;

public sealed class WebSocketReattachTests(ITestOutputHelper output)
{
    private const string Alice = "sk-alice-reattach";
    private const string Bob = "sk-bob-reattach";

    private static async Task<string> FirstTurnThenDropAsync(WsTestHost host, string? apiKey = null)
    {
        var ws = await host.ConnectAsync(apiKey);
        var first = await ws.RunAsync(Request(Instant, false, Items(User("Hello, remember the word tangerine."))));
        Assert.Equal("response.completed", Type(Last(first)));
        ws.Socket.Abort();
        await ws.DisposeAsync();
        return Response(Last(first)).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task NewConnection_PreviousResponseOfDroppedSocket_ContinuesWithDelta()
    {
        await using var host = new WsTestHost(output);
        string id = await FirstTurnThenDropAsync(host);
        var caches = host.Services.GetRequiredService<DetachedCaches>();
        Assert.True(await Eventually.UntilAsync(() => caches.Count == 1, WsTestHost.Guard));

        await using var ws = await host.ConnectAsync();
        var next = await ws.RunAsync(Request(Instant, false, Items(User("What was the word?")), previousResponseId: id));

        Assert.Equal("response.completed", Type(Last(next)));
        string nextId = Response(Last(next)).GetProperty("id").GetString()!;
        var record = host.Services.GetRequiredService<ResponseEngine>().Recorder.Find(nextId);
        Assert.NotNull(record);
        Assert.Equal("detached", record.Continuation);
        Assert.Equal(1, record.ItemsRendered);
        Assert.Equal(0, caches.Count);

        // The new connection owns it now: the chain continues there.
        var third = await ws.RunAsync(Request(Instant, false, Items(User("Thanks.")), previousResponseId: nextId));
        Assert.Equal("response.completed", Type(Last(third)));
    }

    [Fact]
    public async Task NewConnection_ZeroGrace_PreviousResponseNotFound()
    {
        await using var host = new WsTestHost(output, ("Loopwire:WebSocket:DetachedCacheSeconds", "0"));
        string id = await FirstTurnThenDropAsync(host);

        await using var ws = await host.ConnectAsync();
        var next = await ws.RunAsync(Request(Instant, false, Items(User("What was the word?")), previousResponseId: id));
        Assert.Equal("previous_response_not_found", Code(Assert.Single(next)));
    }

    [Fact]
    public async Task NewConnection_CleanClose_PreviousResponseNotFound()
    {
        await using var host = new WsTestHost(output);
        var ws = await host.ConnectAsync();
        var first = await ws.RunAsync(Request(Instant, false, Items(User("Hello."))));
        string id = Response(Last(first)).GetProperty("id").GetString()!;
        await ws.DisposeAsync();

        await using var again = await host.ConnectAsync();
        var next = await again.RunAsync(Request(Instant, false, Items(User("Again.")), previousResponseId: id));
        Assert.Equal("previous_response_not_found", Code(Assert.Single(next)));
    }

    [Fact]
    public async Task NewConnection_OtherTenant_PreviousResponseNotFound()
    {
        await using var host = new WsTestHost(output, ("Loopwire:ApiKeys:0", Alice + "=alice"), ("Loopwire:ApiKeys:1", Bob + "=bob"));
        string id = await FirstTurnThenDropAsync(host, Alice);
        var caches = host.Services.GetRequiredService<DetachedCaches>();
        Assert.True(await Eventually.UntilAsync(() => caches.Count == 1, WsTestHost.Guard));

        await using var bob = await host.ConnectAsync(Bob);
        var stolen = await bob.RunAsync(Request(Instant, false, Items(User("What was the word?")), previousResponseId: id));
        Assert.Equal("previous_response_not_found", Code(Assert.Single(stolen)));

        await using var alice = await host.ConnectAsync(Alice);
        var mine = await alice.RunAsync(Request(Instant, false, Items(User("What was the word?")), previousResponseId: id));
        Assert.Equal("response.completed", Type(Last(mine)));
    }
}
