using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Loopwire.Server.Tests.Upstream;
using Loopwire.Server.Tests.WebSockets;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Telemetry;

/// <summary>The trace goes on to an upstream model server: its request carries the response's trace as <c>traceparent</c>.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class UpstreamTraceTests(ITestOutputHelper output)
{
    private const string Done = "[DONE]";

    private static string Chunk(string choice) =>
        $$"""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{{choice}}]}""";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ChatBackend_OverHttp_UpstreamGetsTheResponsesTraceId(bool stream)
    {
        var traceparents = new ConcurrentQueue<string>();
        await using var upstream = await LoopbackApp.StartFakeAsync(app => app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            traceparents.Enqueue(context.Request.Headers["traceparent"].ToString());
            context.Response.ContentType = "text/event-stream";
            foreach (var data in new[]
            {
                Chunk("""{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":"Hi"}}"""),
                """{"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"created":1,"id":"chatcmpl-1","model":"m","object":"chat.completion.chunk","usage":{"completion_tokens":1,"prompt_tokens":5,"total_tokens":6}}""",
                Done,
            })
            {
                await context.Response.WriteAsync("data: " + data + "\n\n");
            }
        }));
        await using var host = new TracedHost(output, ("Loopwire:Backends:up:Type", "chat"), ("Loopwire:Backends:up:BaseUrl", upstream.V1),
            ("Loopwire:ModelRoutes:0", "llama*=up"));
        string clientTrace = ActivityTraceId.CreateRandom().ToHexString();

        var (status, body) = await host.PostAsync(new JsonObject { ["model"] = "llama-test", ["input"] = "hello", ["store"] = false }, stream, null,
            ("traceparent", $"00-{clientTrace}-{ActivitySpanId.CreateRandom().ToHexString()}-01"));

        Assert.Equal(200, status);
        var span = await host.ResponseSpanAsync(body.GetProperty("id").GetString()!);
        Assert.Equal(clientTrace, span.TraceId.ToHexString());
        var backend = host.Children(span)["backend"];
        Assert.Equal("chatcompletions", backend.GetTagItem("loopwire.backend"));
        string header = Assert.Single(traceparents);
        var parts = header.Split('-');
        Assert.Equal(4, parts.Length);
        Assert.Equal(clientTrace, parts[1]);
        // The upstream call is the backend span's child (HttpClient's own span in between).
        var call = await host.SpanAsync(a => a.SpanId.ToHexString() == parts[2], "the HTTP client span");
        Assert.Equal(backend.SpanId, call.ParentSpanId);
        using var client = host.Client();
        var metrics = await client.GetStringAsync("/metrics", WsTestHost.GuardToken());
        Assert.Contains("loopwire_upstream_request_duration_seconds_bucket{", metrics, StringComparison.Ordinal);
        Assert.Contains("loopwire_backend=\"up\"", metrics, StringComparison.Ordinal);
    }
}
