using System.Net;
using System.Net.WebSockets;
using System.Text;
using Loopwire.Server.Tests.WebSockets;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Fuzz;

/// <summary>Inputs the fuzzer found that made the server fail.</summary>
public sealed class FuzzRegressionTests(ITestOutputHelper output)
{
    /// <summary>Invalid UTF-8 inside a tool's JSON schema parsed fine and threw when rendered: a 500.</summary>
    private static byte[] InvalidUtf8InToolSchema() =>
    [
        .. """{"model":"sim-instant","store":false,"input":"hi","tools":[{"type":"function","name":"f","parameters":{"type":"object","description":" """u8,
        0xff,
        .. "\"}}]}"u8,
    ];

    [Fact]
    public async Task HttpCreate_InvalidUtf8InToolSchema_400()
    {
        await using var host = new WsTestHost(output);
        using var client = host.CreateClient();
        using var content = new ByteArrayContent(InvalidUtf8InToolSchema());
        content.Headers.ContentType = new("application/json");

        using var response = await client.PostAsync("/v1/responses", content, WsTestHost.GuardToken());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("UTF-8", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatCompletions_InvalidUtf8_400()
    {
        await using var host = new WsTestHost(output);
        using var client = host.CreateClient();
        using var content = new ByteArrayContent([.. """{"model":"sim-instant","messages":[{"role":"user","content":" """u8, 0xc3, .. "\"}]}"u8]);
        content.Headers.ContentType = new("application/json");

        using var response = await client.PostAsync("/v1/chat/completions", content, WsTestHost.GuardToken());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task WebSocketCreate_InvalidUtf8InType_ErrorEventSocketStaysOpen()
    {
        await using var host = new WsTestHost(output);
        await using var ws = await host.ConnectAsync();
        await ws.Socket.SendAsync((byte[])[.. "{\"type\":\"re"u8, 0xff, .. "sponse.create\"}"u8], WebSocketMessageType.Text, true, WsTestHost.GuardToken());
        var error = await ws.ReceiveAsync();
        await ws.Socket.SendAsync(Encoding.UTF8.GetBytes("""{"type":"response.create","model":"sim-instant","store":false,"tools":[{"type":"function","name":"f","parameters":{"description":"x"}}],"input":"hi"}"""),
            WebSocketMessageType.Text, true, WsTestHost.GuardToken());
        var turn = await ws.ReceiveTurnAsync();

        Assert.Equal("error", WsTestClient.Type(error!.Value));
        Assert.Equal(400, error.Value.GetProperty("status").GetInt32());
        Assert.Equal("response.completed", WsTestClient.Type(turn[^1]));
    }

    [Fact]
    public async Task WebSocketCreate_InvalidUtf8InToolSchema_ErrorEvent()
    {
        await using var host = new WsTestHost(output);
        await using var ws = await host.ConnectAsync();
        byte[] body = InvalidUtf8InToolSchema();
        await ws.Socket.SendAsync((byte[])[.. "{\"type\":\"response.create\","u8, .. body.AsSpan(1)], WebSocketMessageType.Text, true, WsTestHost.GuardToken());

        var error = await ws.ReceiveAsync();

        Assert.Equal("error", WsTestClient.Type(error!.Value));
        Assert.Equal(400, error.Value.GetProperty("status").GetInt32());
    }
}
