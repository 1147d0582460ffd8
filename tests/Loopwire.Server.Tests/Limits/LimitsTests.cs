using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.Server.Tests.Upstream;
using Loopwire.Server.Tests.WebSockets;
using Loopwire.Server.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.WebSockets.WsJson;

namespace Loopwire.Server.Tests.Limits;

/// <summary>The <c>Loopwire:Limits:*</c> limits and <c>Loopwire:MaxItemsPerRequest</c>: each refusal names its configuration key.</summary>
public sealed class LimitsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Create_TooManyItems_400NamesTheKey()
    {
        await using var host = new WsTestHost(output, ("Loopwire:MaxItemsPerRequest", "2"));

        var (status, body) = await host.PostAsync(Request(Instant, false, Items(User("a"), User("b"), User("c"))));

        Assert.Equal(400, status);
        Assert.Contains("Loopwire:MaxItemsPerRequest", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_BeyondRateLimit_429WithRetryAfterPerTenant()
    {
        await using var host = new WsTestHost(output,
            ("Loopwire:Limits:RequestsPerWindow", "3"), ("Loopwire:Limits:RateLimitWindow", "00:05:00"),
            ("Loopwire:ApiKeys:0", "k1=acme"), ("Loopwire:ApiKeys:1", "k2=other"));
        using var acme = Client(host, "k1");
        using var other = Client(host, "k2");

        for (int i = 0; i < 3; i++)
        {
            using var ok = await acme.GetAsync("/v1/models", WsTestHost.GuardToken());
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var limited = await acme.GetAsync("/v1/models", WsTestHost.GuardToken());
        using var otherTenant = await other.GetAsync("/v1/models", WsTestHost.GuardToken());

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After header missing");
        var error = JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Contains("Loopwire:Limits:RequestsPerWindow", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, otherTenant.StatusCode);
    }

    [Fact]
    public async Task Requests_RateLimitZero_NeverLimited()
    {
        await using var host = new WsTestHost(output, ("Loopwire:Limits:RequestsPerWindow", "0"));
        using var client = Client(host, null);

        for (int i = 0; i < 50; i++)
        {
            using var ok = await client.GetAsync("/v1/models", WsTestHost.GuardToken());
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
    }

    [Fact]
    public async Task HttpCreate_TenantAtInFlightLimit_429NamesTheKey()
    {
        await using var host = new WsTestHost(output, ("Loopwire:Limits:MaxResponsesInFlightPerTenant", "1"),
            ("Loopwire:ApiKeys:0", "k1=acme"), ("Loopwire:ApiKeys:1", "k2=acme"));
        using var client = Client(host, "k1");
        using var first = await StartSlowSseAsync(client);

        var (status, body) = await host.PostAsync(Request(Instant, false, Items(User("hi"))), "k2");

        Assert.Equal(429, status);
        Assert.Contains("Loopwire:Limits:MaxResponsesInFlightPerTenant", body.GetProperty("error").GetProperty("message").GetString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpCompact_TenantAtInFlightLimit_429NamesTheKey()
    {
        await using var host = new WsTestHost(output, ("Loopwire:Limits:MaxResponsesInFlightPerTenant", "1"),
            ("Loopwire:ApiKeys:0", "k1=acme"), ("Loopwire:ApiKeys:1", "k2=acme"), ("Loopwire:ApiKeys:2", "k3=other"));
        using var client = Client(host, "k1");
        using var first = await StartSlowSseAsync(client);
        var compact = new JsonObject { ["model"] = Instant, ["input"] = Items(User("hi"), User("compact this")) };

        using var same = Client(host, "k2");
        using var limited = await same.PostAsync("/v1/responses/compact",
            new StringContent(compact.ToJsonString(), Encoding.UTF8, "application/json"), WsTestHost.GuardToken());
        using var other = Client(host, "k3");
        using var allowed = await other.PostAsync("/v1/responses/compact",
            new StringContent(compact.ToJsonString(), Encoding.UTF8, "application/json"), WsTestHost.GuardToken());

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var error = JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Contains("Loopwire:Limits:MaxResponsesInFlightPerTenant", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task WebSocketCreate_TenantAtInFlightLimit_ErrorEvent429ThenNextSucceeds()
    {
        await using var host = new WsTestHost(output, ("Loopwire:Limits:MaxResponsesInFlightPerTenant", "1"), ("Loopwire:ApiKeys:0", "k1=acme"));
        await using var ws1 = await host.ConnectAsync("k1");
        await using var ws2 = await host.ConnectAsync("k1");
        await ws1.CreateAsync(Request(Slow, false, Items(User("a long answer please"))));
        var created = await ws1.ReceiveAsync();
        Assert.Equal("response.created", WsTestClient.Type(created!.Value));

        var refused = await ws2.RunAsync(Request(Instant, false, Items(User("hi"))));
        await ws1.ReceiveTurnAsync();
        var after = await ws2.RunAsync(Request(Instant, false, Items(User("hi"))));

        var error = Assert.Single(refused);
        Assert.Equal("error", WsTestClient.Type(error));
        Assert.Equal(429, error.GetProperty("status").GetInt32());
        Assert.Contains("Loopwire:Limits:MaxResponsesInFlightPerTenant", error.GetProperty("error").GetProperty("message").GetString(),
            StringComparison.Ordinal);
        Assert.Equal("response.completed", WsTestClient.Type(Last(after)));
    }

    [Fact]
    public async Task WebSocketUpgrade_TenantAtConnectionLimit_429BeforeUpgrade()
    {
        await using var app = await LoopbackApp.StartLoopwireAsync(output, ("Loopwire:Limits:MaxWebSocketConnectionsPerTenant", "2"),
            ("Loopwire:ApiKeys:0", "k1=acme"), ("Loopwire:ApiKeys:1", "k2=acme"), ("Loopwire:ApiKeys:2", "k3=other"));
        using var a = await ConnectAsync(app, "k1");
        using var b = await ConnectAsync(app, "k2");

        string refused = await RawUpgradeAsync(app, "k1");
        using var otherTenant = await ConnectAsync(app, "k3");

        Assert.StartsWith("HTTP/1.1 429", refused, StringComparison.Ordinal);
        Assert.Contains("Loopwire:Limits:MaxWebSocketConnectionsPerTenant", refused, StringComparison.Ordinal);
        Assert.Equal(WebSocketState.Open, otherTenant.State);
    }

    [Fact]
    public async Task WebSocket_IdleBeyondTimeout_Closed1000WithReason()
    {
        await using var host = new WsTestHost(output, ("Loopwire:Limits:WebSocketIdleTimeout", "00:00:00.500"));
        await using var ws = await host.ConnectAsync();
        var turn = await ws.RunAsync(Request(Instant, false, Items(User("hi"))));

        var rest = await ws.ReceiveUntilCloseAsync();

        Assert.Equal("response.completed", WsTestClient.Type(Last(turn)));
        Assert.Empty(rest);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
        Assert.Contains("Loopwire:Limits:WebSocketIdleTimeout", ws.Socket.CloseStatusDescription, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WebSocket_ClientNeverReads_OutboundStaysBoundedAndGenerationWaits(bool closesWithoutReading)
    {
        const int bufferEvents = 16;
        const int requests = 1500;
        await using var app = await LoopbackApp.StartLoopwireAsync(output, ("Loopwire:WebSocket:SendBufferEvents", $"{bufferEvents}"),
            ("Loopwire:WebSocket:MaxQueuedRequests", $"{requests}"), ("Loopwire:WebSocket:EnableCompression", "false"));
        var registry = app.App.Services.GetRequiredService<WebSocketConnectionRegistry>();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        using var ws = await ConnectAsync(app, null);

        // Step 1: ask for many responses and never read a byte of them.
        var message = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["type"] = "response.create", ["model"] = Instant, ["store"] = false, ["input"] = "tell me a long story",
        }.ToJsonString());
        for (int i = 0; i < requests; i++)
        {
            await ws.SendAsync(message, WebSocketMessageType.Text, true, WsTestHost.GuardToken());
        }

        // Step 2: the server fills the kernel's socket buffers (and its bounded queue, when events wait behind a blocked send),
        // then generation waits.
        var connection = await WaitForAsync(() => registry.Snapshot() is [var c] && (c.QueuedEvents >= bufferEvents || c.SendBlocked) ? c : null,
            TimeSpan.FromSeconds(60));
        Assert.NotNull(connection);
        long during = GC.GetTotalMemory(forceFullCollection: true);
        int responses = connection.Responses;
        output.WriteLine($"queued events {connection.QueuedEvents}, send blocked {connection.SendBlocked}, responses generated {responses} of {requests}, " +
            $"GC heap before {before / 1024} KiB, while stalled {during / 1024} KiB");

        Assert.True(connection.QueuedEvents <= bufferEvents, $"outbound buffer holds {connection.QueuedEvents} events");
        Assert.True(responses < requests - 1, $"generation did not wait: {responses} of {requests} responses done");
        Assert.True(during - before < 64L * 1024 * 1024, $"server heap grew by {(during - before) / 1024} KiB while the client did not read");

        // Step 3: the client vanishes, or it says goodbye and still never reads (the server cannot finish a send to it, so it
        // must abort that send when it ends the connection); either way the connection is released.
        if (closesWithoutReading)
        {
            await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", WsTestHost.GuardToken());
        }
        else
        {
            ws.Abort();
        }

        Assert.True(await WaitForAsync(() => registry.Count == 0 ? "gone" : null, TimeSpan.FromSeconds(30)) is not null, "connection leaked");
    }

    private static HttpClient Client(WsTestHost host, string? key)
    {
        var client = host.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>Starts a streaming response on the slow model and returns once its first event arrived (the response is in flight).</summary>
    private static async Task<HttpResponseMessage> StartSlowSseAsync(HttpClient client)
    {
        var body = Request(Slow, false, Items(User("a long answer please")));
        body["stream"] = true;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, WsTestHost.GuardToken());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stream = await response.Content.ReadAsStreamAsync(WsTestHost.GuardToken());
        var first = new byte[1];
        Assert.Equal(1, await stream.ReadAsync(first, WsTestHost.GuardToken()));
        return response;
    }

    private static async Task<ClientWebSocket> ConnectAsync(LoopbackApp app, string? key)
    {
        var ws = new ClientWebSocket();
        if (key is not null)
        {
            ws.Options.SetRequestHeader("Authorization", "Bearer " + key);
        }

        await ws.ConnectAsync(new Uri($"ws://{app.BaseAddress.Authority}/v1/responses"), WsTestHost.GuardToken());
        return ws;
    }

    /// <summary>A WebSocket upgrade request over a raw socket; returns what the server answered (status line, headers, body).</summary>
    private static async Task<string> RawUpgradeAsync(LoopbackApp app, string key)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, app.BaseAddress.Port, WsTestHost.GuardToken());
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /v1/responses HTTP/1.1\r\nHost: {app.BaseAddress.Authority}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
            $"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer {key}\r\n\r\n"), WsTestHost.GuardToken());
        var text = new StringBuilder();
        var buffer = new byte[4096];
        var ct = WsTestHost.GuardToken();
        while (!text.ToString().Contains("\"}}", StringComparison.Ordinal) && !text.ToString().Contains("HTTP/1.1 101", StringComparison.Ordinal))
        {
            int n = await stream.ReadAsync(buffer, ct);
            if (n == 0)
            {
                break;
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        return text.ToString();
    }

    private static async Task<T?> WaitForAsync<T>(Func<T?> probe, TimeSpan guard) where T : class
    {
        using var cts = new CancellationTokenSource(guard);
        while (!cts.IsCancellationRequested)
        {
            if (probe() is { } hit)
            {
                return hit;
            }

            await Task.Delay(50, CancellationToken.None);
        }

        return probe();
    }
}
