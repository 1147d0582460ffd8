using System.Text.Json.Nodes;
using Loopwire.Server.Hosting;
using Loopwire.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Upstream;

/// <summary>The retry rule through the server's wiring: the named upstream clients and the WebSocket connect pipeline.</summary>
public sealed class UpstreamRetryTests(ITestOutputHelper output)
{
    private const string Finished =
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";

    private static Task<LoopbackApp> DownstreamAsync(ITestOutputHelper output, string type, string baseUrl, params (string, string)[] extra) =>
        LoopbackApp.StartLoopwireAsync(output,
        [
            ("Loopwire:Backends:up:Type", type),
            ("Loopwire:Backends:up:BaseUrl", baseUrl),
            ("Loopwire:Backends:up:RetryDelayMilliseconds", "0"),
            ("Loopwire:ModelRoutes:0", "llama*=up"),
            .. extra,
        ]);

    private static JsonObject Hello() => Requests.Body("llama-test", "hello");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ChatBackend_Upstream503ThenOk_RetriesAndCompletes(bool stream)
    {
        int calls = 0;
        await using var upstream = await LoopbackApp.StartFakeAsync(app => app.MapPost("/v1/chat/completions", async (HttpContext c) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                c.Response.StatusCode = 503;
                return;
            }

            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync(Finished);
        }));
        await using var downstream = await DownstreamAsync(output, "chat", upstream.V1);

        var (status, body, _) = await downstream.PostResponseAsync(Hello(), stream);

        Assert.Equal(200, status);
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal(2, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task ChatBackend_Upstream503Always_Answers502AfterMaxRetries()
    {
        int calls = 0;
        await using var upstream = await LoopbackApp.StartFakeAsync(app => app.MapPost("/v1/chat/completions", (HttpContext c) =>
        {
            Interlocked.Increment(ref calls);
            c.Response.StatusCode = 503;
        }));
        await using var downstream = await DownstreamAsync(output, "chat", upstream.V1, ("Loopwire:Backends:up:MaxRetries", "1"));

        var (status, _, _) = await downstream.PostResponseAsync(Hello(), stream: false);

        Assert.Equal(502, status);
        Assert.Equal(2, Volatile.Read(ref calls));
    }

    [Theory]
    [InlineData(503, 3)]
    [InlineData(401, 1)]
    [InlineData(404, 1)]
    public async Task ResponsesWebSocketBackend_UpgradeRefused_RetriesOnlyTransientStatuses(int upgradeStatus, int expectedCalls)
    {
        int calls = 0;
        await using var upstream = await LoopbackApp.StartFakeAsync(app => app.MapGet("/v1/responses", (HttpContext c) =>
        {
            Interlocked.Increment(ref calls);
            c.Response.StatusCode = upgradeStatus;
        }));
        await using var downstream = await DownstreamAsync(output, "responses-ws", upstream.V1);

        var (status, _, _) = await downstream.PostResponseAsync(Hello(), stream: false);

        Assert.Equal(502, status);
        Assert.Equal(expectedCalls, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task NamedClient_ChatBackend_KeptForTheServerLifetimeWithoutClientTimeout()
    {
        await using var downstream = await DownstreamAsync(output, "chat", "http://127.0.0.1:9/v1");
        var factory = downstream.App.Services.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>();

        var options = factory.Get(UpstreamHttpClients.ClientName("up"));
        using var client = downstream.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient(UpstreamHttpClients.ClientName("up"));

        Assert.Equal(Timeout.InfiniteTimeSpan, options.HandlerLifetime);
        Assert.Equal(Timeout.InfiniteTimeSpan, client.Timeout);
    }
}
