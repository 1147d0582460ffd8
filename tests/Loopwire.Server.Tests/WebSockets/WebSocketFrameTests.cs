using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.WebSockets.WsJson;
using static Loopwire.Server.Tests.WebSockets.WsTestClient;

namespace Loopwire.Server.Tests.WebSockets;

public sealed class WebSocketFrameTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("{not json", "invalid_json")]
    [InlineData("[1, 2]", "invalid_json")]
    [InlineData("""{"type":"response.nope"}""", "unknown_message_type")]
    [InlineData("""{"input":"no type"}""", "missing_required_parameter")]
    [InlineData("""{"type":"response.create","model":"sim-instant","input":"hi","background":true}""", "unsupported_parameter")]
    public async Task Message_Invalid_ErrorEventAndSocketStaysOpen(string message, string code)
    {
        await using var host = new WsTestHost(output);
        await using var ws = await host.ConnectAsync();

        await ws.SendTextAsync(message);
        var error = await ws.ReceiveAsync();

        Assert.NotNull(error);
        Assert.Equal("error", Type(error.Value));
        Assert.Equal(code, Code(error.Value));
        Assert.Equal(400, error.Value.GetProperty("status").GetInt32());
        var after = await ws.RunAsync(Request(Instant, false, Items(User("Still there?"))));
        Assert.Equal("response.completed", Type(Last(after)));
    }

    [Fact]
    public async Task Message_BinaryFrame_ErrorEventAndSocketStaysOpen()
    {
        await using var host = new WsTestHost(output);
        await using var ws = await host.ConnectAsync();

        await ws.SendBinaryAsync(Encoding.UTF8.GetBytes("""{"type":"response.create","model":"sim-instant","input":"hi"}"""));
        var error = await ws.ReceiveAsync();

        Assert.NotNull(error);
        Assert.Equal("error", Type(error.Value));
        Assert.Equal(400, error.Value.GetProperty("status").GetInt32());
        var after = await ws.RunAsync(Request(Instant, false, Items(User("Still there?"))));
        Assert.Equal("response.completed", Type(Last(after)));
    }

    [Fact]
    public async Task Message_ResponseProcessed_Ignored()
    {
        await using var host = new WsTestHost(output);
        await using var ws = await host.ConnectAsync();
        var first = await ws.RunAsync(Request(Instant, false, Items(User("Hello."))));

        await ws.SendAsync(new JsonObject { ["type"] = "response.processed", ["response_id"] = Response(Last(first)).GetProperty("id").GetString() });
        var next = await ws.RunAsync(Request(Instant, false, Items(User("Next."))));

        // The first message after the ack belongs to the next response: the ack produced nothing.
        Assert.Equal("response.created", Type(next[0]));
        Assert.Equal("response.completed", Type(Last(next)));
    }

    [Fact]
    public async Task Message_LargerThanMaxMessageBytes_Closes1009AndServerStillServes()
    {
        await using var host = new WsTestHost(output, ("Loopwire:WebSocket:MaxMessageBytes", "4096"));
        await using (var ws = await host.ConnectAsync())
        {
            var small = await ws.RunAsync(Request(Instant, false, Items(User("Fits."))));
            Assert.Equal("response.completed", Type(Last(small)));

            await ws.CreateAsync(Request(Instant, false, Items(User(new string('x', 5000)))));
            var before = await ws.ReceiveUntilCloseAsync();

            Assert.Empty(before);
            Assert.Equal(WebSocketCloseStatus.MessageTooBig, ws.CloseStatus);
        }

        await using var again = await host.ConnectAsync();
        var events = await again.RunAsync(Request(Instant, false, Items(User("New connection."))));
        Assert.Equal("response.completed", Type(Last(events)));
    }
}
