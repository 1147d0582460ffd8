using System.Collections.Concurrent;
using System.Net.ServerSentEvents;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.Server.Tests.WebSockets;
using Loopwire.TestKit;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Upstream;

/// <summary>Fake upstreams that fail, hang or lose the chain, with Loopwire in front of them.</summary>
public sealed class UpstreamFailureTests(ITestOutputHelper output)
{
    private static async Task<LoopbackApp> DownstreamAsync(ITestOutputHelper output, string type, string baseUrl, params (string, string)[] extra) =>
        await LoopbackApp.StartLoopwireAsync(output,
        [
            ("Loopwire:Backends:up:Type", type),
            ("Loopwire:Backends:up:BaseUrl", baseUrl),
            ("Loopwire:Backends:up:RetryDelayMilliseconds", "0"),
            ("Loopwire:ModelRoutes:0", "llama*=up"),
            .. extra,
        ]);

    private static Task<LoopbackApp> ChatUpstreamAsync(int status, string body) => LoopbackApp.StartFakeAsync(app =>
        app.MapPost("/v1/chat/completions", async (HttpContext c) =>
        {
            c.Response.StatusCode = status;
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync(body);
        }));

    private static JsonObject Hello() => Requests.Body("llama-test", "hello");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ChatBackend_Upstream400_PassesStatusAndMessageThrough(bool stream)
    {
        await using var upstream = await ChatUpstreamAsync(400,
            """{"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""");
        await using var downstream = await DownstreamAsync(output, "chat", upstream.V1);

        var (status, body, _) = await downstream.PostResponseAsync(Hello(), stream);

        if (stream)
        {
            Assert.Equal("failed", body.GetProperty("status").GetString());
            Assert.Equal("context_length_exceeded", body.GetProperty("error").GetProperty("code").GetString());
            Assert.Contains("maximum context length is 8192 tokens", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(400, status);
            var error = body.GetProperty("error");
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
            Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
            Assert.Contains("maximum context length is 8192 tokens", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ChatBackend_Upstream500_Answers502WithTheCause()
    {
        await using var upstream = await ChatUpstreamAsync(500, """{"error":{"message":"CUDA out of memory","type":"server_error"}}""");
        await using var downstream = await DownstreamAsync(output, "chat", upstream.V1);

        var (status, body, _) = await downstream.PostResponseAsync(Hello(), stream: false);

        Assert.Equal(502, status);
        Assert.Equal("upstream_error", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("CUDA out of memory", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatBackend_ConnectionRefused_Answers502Unavailable()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var downstream = await DownstreamAsync(output, "chat", $"http://127.0.0.1:{port}/v1");

        var (status, body, _) = await downstream.PostResponseAsync(Hello(), stream: false);

        Assert.Equal(502, status);
        Assert.Equal("upstream_unavailable", body.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task ChatBackend_UpstreamHangs_Answers504Timeout()
    {
        await using var upstream = await LoopbackApp.StartFakeAsync(app => app.MapPost("/v1/chat/completions", async (HttpContext c) =>
        {
            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}\n\n");
            await c.Response.Body.FlushAsync();
            await Task.Delay(Timeout.Infinite, c.RequestAborted);
        }));
        await using var downstream = await DownstreamAsync(output, "chat", upstream.V1, ("Loopwire:Backends:up:TimeoutSeconds", "0.2"));

        var (status, body, _) = await downstream.PostResponseAsync(Hello(), stream: false);

        Assert.Equal(504, status);
        Assert.Equal("upstream_timeout", body.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task ChatBackend_DownstreamClientGoesAway_AbortsTheUpstreamRequest()
    {
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await LoopbackApp.StartFakeAsync(app => app.MapPost("/v1/chat/completions", async (HttpContext c) =>
        {
            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n");
            await c.Response.Body.FlushAsync();
            try
            {
                await Task.Delay(Timeout.Infinite, c.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                upstreamAborted.TrySetResult();
            }
        }));
        await using var downstream = await DownstreamAsync(output, "chat", upstream.V1);
        using var client = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = downstream.BaseAddress };
        using var cts = new CancellationTokenSource(WsTestHost.Guard);

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            Content = new StringContent("""{"model":"llama-test","input":"hello","stream":true}""", Encoding.UTF8, "application/json"),
        })
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token))
        using (var stream = await response.Content.ReadAsStreamAsync(cts.Token))
        {
            await foreach (var item in SseParser.Create(stream).EnumerateAsync(cts.Token))
            {
                if (item.EventType == "response.output_text.delta")
                {
                    break;
                }
            }

            await cts.CancelAsync();
        }

        await upstreamAborted.Task.WaitAsync(WsTestHost.Guard);
    }

    [Fact]
    public async Task ResponsesWebSocketBackend_UpstreamLostTheChain_ReplaysTheFullContextOnce()
    {
        var received = new ConcurrentQueue<JsonElement>();
        await using var upstream = await LoopbackApp.StartFakeAsync(app => app.Map("/v1/responses", async (HttpContext c) =>
        {
            if (!c.WebSockets.IsWebSocketRequest)
            {
                c.Response.StatusCode = 426;
                return;
            }

            using var ws = await c.WebSockets.AcceptWebSocketAsync();
            int answered = 0;
            var buffer = new byte[1 << 16];
            while (true)
            {
                int length = 0;
                WebSocketReceiveResult r;
                do
                {
                    r = await ws.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), c.RequestAborted);
                    length += r.Count;
                }
                while (!r.EndOfMessage && r.MessageType != WebSocketMessageType.Close);

                if (r.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                var message = JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
                received.Enqueue(message);
                if (message.TryGetProperty("previous_response_id", out var prev) && prev.ValueKind == JsonValueKind.String)
                {
                    await SendAsync(ws, $$$"""{"type":"error","status":400,"error":{"type":"invalid_request_error","code":"previous_response_not_found","message":"Previous response with id '{{{prev.GetString()}}}' not found.","param":"previous_response_id"}}""");
                    continue;
                }

                string id = "resp_fake" + ++answered;
                await SendAsync(ws, $$$"""{"type":"response.created","sequence_number":0,"response":{"id":"{{{id}}}","status":"in_progress","output":[]}}""");
                await SendAsync(ws, $$"""{"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Answer {{answered}}"}""");
                await SendAsync(ws, """{"type":"response.completed","sequence_number":2,"response":{"id":""" + "\"" + id + "\"" +
                    ""","status":"completed","usage":{"input_tokens":10,"output_tokens":2}}}""");
            }
        }));
        await using var downstream = await DownstreamAsync(output, "responses-ws", upstream.V1);

        var (_, first, _) = await downstream.PostResponseAsync(Hello(), stream: false);
        var (status, second, _) = await downstream.PostResponseAsync(new JsonObject
        {
            ["model"] = "llama-test",
            ["previous_response_id"] = first.GetProperty("id").GetString(),
            ["input"] = "again",
        }, stream: false);

        Assert.Equal(200, status);
        Assert.Equal("Answer 2", second.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        var messages = received.ToList();
        Assert.Equal(3, messages.Count);
        Assert.False(messages[0].TryGetProperty("previous_response_id", out _));
        Assert.Equal("resp_fake1", messages[1].GetProperty("previous_response_id").GetString());
        Assert.Equal(1, messages[1].GetProperty("input").GetArrayLength());
        Assert.False(messages[2].TryGetProperty("previous_response_id", out _));
        Assert.Equal(3, messages[2].GetProperty("input").GetArrayLength());
        Assert.All(messages, m => Assert.False(m.GetProperty("store").GetBoolean()));
    }

    private static Task SendAsync(WebSocket ws, string json) =>
        ws.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
}
