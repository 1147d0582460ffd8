using Xunit.Abstractions;
using static Loopwire.Server.Tests.WebSockets.WsJson;
using static Loopwire.Server.Tests.WebSockets.WsTestClient;

namespace Loopwire.Server.Tests.WebSockets;

public sealed class WebSocketStoreTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PreviousResponseId_StoredOverHttp_HydratedOnNewSocket()
    {
        await using var host = new WsTestHost(output);
        var (status, created) = await host.PostAsync(Request(Instant, true, Items(User("Remember the number 42."))));
        Assert.Equal(200, status);
        string id = created.GetProperty("id").GetString()!;

        await using var ws = await host.ConnectAsync();
        var events = await ws.RunAsync(Request(Instant, false, Items(User("What was the number?")), previousResponseId: id));

        Assert.Equal("response.completed", Type(Last(events)));
        var r = Response(Last(events));
        Assert.Equal(id, r.GetProperty("previous_response_id").GetString());
        Assert.True(r.GetProperty("usage").GetProperty("input_tokens").GetInt32()
            > created.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task PreviousResponseId_StoredOverWebSocket_ContinuedOverHttp()
    {
        await using var host = new WsTestHost(output);
        await using var ws = await host.ConnectAsync();
        var events = await ws.RunAsync(Request(Instant, true, Items(User("Remember the number 7."))));
        string id = Response(Last(events)).GetProperty("id").GetString()!;

        var (status, next) = await host.PostAsync(Request(Instant, true, Items(User("What was the number?")), previousResponseId: id));

        Assert.Equal(200, status);
        Assert.Equal("completed", next.GetProperty("status").GetString());
        Assert.Equal(id, next.GetProperty("previous_response_id").GetString());
        Assert.Equal(200, await host.GetStatusAsync(id));
    }

    [Fact]
    public async Task PreviousResponseId_StoreTrueOnTopOfStoreFalseChain_ContinuedOverHttp()
    {
        await using var host = new WsTestHost(output);
        await using var ws = await host.ConnectAsync();
        var first = await ws.RunAsync(Request(Instant, false, Items(User("Remember the number 9."))));
        string firstId = Response(Last(first)).GetProperty("id").GetString()!;
        var second = await ws.RunAsync(Request(Instant, true, Items(User("And the letter Q.")), previousResponseId: firstId));
        var r2 = Response(Last(second));
        string secondId = r2.GetProperty("id").GetString()!;

        var (status, next) = await host.PostAsync(Request(Instant, false, Items(User("What did I ask you to remember?")), previousResponseId: secondId));

        Assert.Equal(200, status);
        Assert.True(next.GetProperty("usage").GetProperty("input_tokens").GetInt32()
            > r2.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(404, await host.GetStatusAsync(firstId));
    }

    [Fact]
    public async Task StoreFalse_OverWebSocket_NotFoundOverHttpGet()
    {
        await using var host = new WsTestHost(output);
        await using var ws = await host.ConnectAsync();
        var events = await ws.RunAsync(Request(Instant, false, Items(User("Do not keep this."))));
        string id = Response(Last(events)).GetProperty("id").GetString()!;

        Assert.Equal(404, await host.GetStatusAsync(id));
    }
}
