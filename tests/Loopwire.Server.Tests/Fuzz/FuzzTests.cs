using Loopwire.Fuzz;
using Loopwire.Server.Tests.Upstream;
using Loopwire.Server.WebSockets;
using Loopwire.TestKit;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Fuzz;

/// <summary>
/// The fuzzer against the server: every input gets a 4xx, an error event or a fitting close code; never a 5xx, a 1011, a
/// hang or a crash; afterwards no WebSocket connection is left and the heap is back near where it was.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    /// <summary>The heap may end this much above where it started (caches, JIT, pools).</summary>
    private const long HeapBound = 64L * 1024 * 1024;

    [Theory]
    [InlineData(12_000, true, false, 11)]
    [InlineData(10_000, false, true, 12)]
    public async Task Fuzz_InProcessServer_NoServerFaultsNoLeaks(int count, bool http, bool webSocket, int seed)
    {
        using var factory = new LoopwireFactory();
        using var server = factory.WithSettings(
            ("Loopwire:WebSocket:MaxMessageBytes", "65536"),
            ("Loopwire:Limits:RequestsPerWindow", "0"),
            ("Loopwire:Limits:MaxResponsesInFlightPerTenant", "1000"),
            ("Loopwire:Limits:MaxWebSocketConnectionsPerTenant", "1000"));
        var registry = server.Services.GetRequiredService<WebSocketConnectionRegistry>();
        using var httpClient = server.CreateClient();
        var wsClient = server.Server.CreateWebSocketClient();
        var target = new FuzzTarget
        {
            Http = httpClient,
            ConnectWebSocket = ct => wsClient.ConnectAsync(new Uri(server.Server.BaseAddress, "/v1/responses"), ct),
        };
        var options = new FuzzOptions
        {
            Count = count,
            Seed = seed,
            Http = http,
            WebSocket = webSocket,
            Concurrency = 4,
            HugeStringBytes = 256 * 1024,
            OversizedMessageBytes = 65537,
            MaxDuration = TimeSpan.FromMinutes(3),
        };

        // Warm up (JIT, pools) before the baseline.
        await new FuzzRunner(target, new FuzzOptions { Count = 300, Seed = seed + 1000, Http = http, WebSocket = webSocket, HugeEvery = 1_000_000 }).RunAsync();
        long before = GC.GetTotalMemory(forceFullCollection: true);

        var report = await new FuzzRunner(target, options).RunAsync();

        bool drained = await Eventually.UntilAsync(() => registry.Count == 0, TimeSpan.FromSeconds(30));
        long after = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine(report.Summary());
        output.WriteLine($"GC heap before {before / 1024} KiB, after {after / 1024} KiB; open WebSockets {registry.Count}");
        foreach (var f in report.Failures)
        {
            output.WriteLine(f);
        }

        Assert.Equal(0, report.FailureCount);
        Assert.Equal(count, report.Inputs);
        Assert.True(drained, $"{registry.Count} WebSocket connection(s) leaked");
        Assert.True(after - before < HeapBound, $"heap grew by {(after - before) / 1024} KiB (bound {HeapBound / 1024} KiB)");
    }

    [Fact]
    public async Task Fuzz_RealSocketsWithSlowloris_NoServerFaults()
    {
        await using var app = await LoopbackApp.StartLoopwireAsync(null,
            ("Loopwire:WebSocket:MaxMessageBytes", "65536"), ("Loopwire:Limits:RequestsPerWindow", "0"));
        var registry = app.App.Services.GetRequiredService<WebSocketConnectionRegistry>();
        var options = new FuzzOptions
        {
            Count = 2000,
            Seed = 7,
            Concurrency = 4,
            HugeStringBytes = 256 * 1024,
            OversizedMessageBytes = 65537,
            SlowlorisConnections = 6,
            SlowlorisDuration = TimeSpan.FromSeconds(2),
            MaxDuration = TimeSpan.FromMinutes(2),
        };
        var target = FuzzTarget.ForUrl(app.BaseAddress, null, options.Concurrency);
        using var http = target.Http;

        var report = await new FuzzRunner(target, options).RunAsync();

        bool drained = await Eventually.UntilAsync(() => registry.Count == 0, TimeSpan.FromSeconds(30));
        output.WriteLine(report.Summary());
        foreach (var f in report.Failures)
        {
            output.WriteLine(f);
        }

        Assert.Equal(0, report.FailureCount);
        Assert.Equal(6, report.Counts.GetValueOrDefault(FuzzOutcome.SlowlorisSurvived));
        Assert.True(drained, $"{registry.Count} WebSocket connection(s) leaked");
    }
}
