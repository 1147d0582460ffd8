using System.Text.Json.Nodes;
using Loopwire.Server.Tests.Upstream;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.Background.BackgroundHttp;

namespace Loopwire.Server.Tests.Background;

/// <summary>A background response whose model fails ends <c>failed</c> in the store, not stuck <c>in_progress</c>.</summary>
public sealed class BackgroundFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Create_BackgroundUpstreamFails_PollingEndsFailedWithTheError()
    {
        await using var upstream = await LoopbackApp.StartFakeAsync(app =>
            app.MapPost("/v1/chat/completions", async (HttpContext c) =>
            {
                c.Response.StatusCode = 500;
                c.Response.ContentType = "application/json";
                await c.Response.WriteAsync("""{"error":{"message":"CUDA out of memory","type":"server_error"}}""");
            }));
        await using var downstream = await LoopbackApp.StartLoopwireAsync(output,
            ("Loopwire:Backends:up:Type", "chat"),
            ("Loopwire:Backends:up:BaseUrl", upstream.V1),
            ("Loopwire:Backends:up:RetryDelayMilliseconds", "0"),
            ("Loopwire:ModelRoutes:0", "llama*=up"));
        var body = new JsonObject { ["model"] = "llama-test", ["input"] = "hello", ["background"] = true };

        var (status, created, _) = await downstream.PostResponseAsync(body, stream: false);
        Assert.Equal(200, status);
        var (statuses, final) = await PollAsync(downstream.Client, created.GetProperty("id").GetString()!);

        Assert.Equal("failed", statuses[^1]);
        Assert.Equal("upstream_error", final.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("CUDA out of memory", final.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
