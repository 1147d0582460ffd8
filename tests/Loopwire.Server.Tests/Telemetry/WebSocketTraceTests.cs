using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Loopwire.Server.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Loopwire.Server.Tests.WebSockets;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Telemetry;

/// <summary>A WebSocket connection is a span of its own, in the client's trace; each response on it is a trace linked to it.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class WebSocketTraceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Connection_WithTraceparentOnTheUpgrade_HasASpanInTheClientsTraceThatEachResponseLinksTo()
    {
        await using var host = new TracedHost(output);
        string clientTrace = ActivityTraceId.CreateRandom().ToHexString();
        var client = host.Server.CreateWebSocketClient();
        client.ConfigureRequest = r => r.Headers.TraceParent = $"00-{clientTrace}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
        var socket = await client.ConnectAsync(new Uri(host.Server.BaseAddress, "/v1/responses"), WsTestHost.GuardToken());
        var ids = new List<string>();
        await using (var ws = new WsTestClient(socket))
        {
            string? previous = null;
            for (int i = 0; i < 2; i++)
            {
                var r = (await ws.RunAsync(WsJson.Request(WsJson.Instant, false, [WsJson.User($"turn {i}")], previousResponseId: previous)))[^1]
                    .GetProperty("response");
                previous = r.GetProperty("id").GetString()!;
                ids.Add(previous);
            }
        }

        var connection = await host.SpanAsync(a => a.Source.Name == "Loopwire.Server" && a.TraceId.ToHexString() == clientTrace,
            "the connection span");
        Assert.Equal("websocket /v1/responses", connection.DisplayName);
        Assert.Equal(2, connection.GetTagItem("loopwire.websocket.responses"));
        foreach (var id in ids)
        {
            var span = await host.ResponseSpanAsync(id);
            Assert.Equal(default, span.ParentSpanId);
            Assert.NotEqual(connection.TraceId, span.TraceId);
            var link = Assert.Single(span.Links);
            Assert.Equal(connection.Context.TraceId, link.Context.TraceId);
            Assert.Equal(connection.Context.SpanId, link.Context.SpanId);
        }
    }

    [Fact]
    public async Task ResponsesWebSocketBackend_Upgrade_CarriesTheResponsesTraceToTheUpstream()
    {
        var traceparents = new ConcurrentQueue<string>();
        var upstream = LoopwireHost.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Loopwire:Store"] = "memory",
                ["Loopwire:DefaultModelProfile"] = WsJson.Instant,
                ["Logging:LogLevel:Default"] = "Warning",
            });
            b.WebHost.UseUrls("http://127.0.0.1:0");
            b.Services.AddSingleton<IStartupFilter>(new CaptureHeader("traceparent", traceparents));
        });
        await upstream.StartAsync(WsTestHost.GuardToken());
        try
        {
            await using var host = new TracedHost(output, ("Loopwire:Backends:up:Type", "responses-ws"),
                ("Loopwire:Backends:up:BaseUrl", new Uri(new Uri(upstream.Urls.First()), "/v1").ToString()), ("Loopwire:ModelRoutes:0", "llama*=up"));

            var (status, body) = await host.PostAsync(new JsonObject { ["model"] = "llama-test", ["input"] = "hello", ["store"] = false });

            Assert.Equal(200, status);
            var span = await host.ResponseSpanAsync(body.GetProperty("id").GetString()!);
            string header = Assert.Single(traceparents, t => t.Length > 0);
            Assert.Equal(span.TraceId.ToHexString(), header.Split('-')[1]);
        }
        finally
        {
            await upstream.StopAsync(CancellationToken.None);
            await upstream.DisposeAsync();
        }
    }

    /// <summary>Keeps one request header of every request, before the application sees it.</summary>
    private sealed class CaptureHeader(string name, ConcurrentQueue<string> seen) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                seen.Enqueue(context.Request.Headers[name].ToString());
                await nextMiddleware(context);
            });
            next(app);
        };
    }
}
