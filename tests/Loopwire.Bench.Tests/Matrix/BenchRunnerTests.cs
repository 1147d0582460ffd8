using System.Text.Json;
using Loopwire.Agent.Scenarios;
using Loopwire.Agent.Tools;
using Loopwire.Bench.Matrix;
using Loopwire.Bench.Network;
using Loopwire.Bench.Results;
using Loopwire.TestKit;

namespace Loopwire.Bench.Tests.Matrix;

/// <summary>The matrix runner against a real Loopwire (Kestrel on loopback) with the recorded tools and no delays.</summary>
public sealed class BenchRunnerTests : IAsyncLifetime
{
    private readonly KestrelLoopwire _server = new();
    private Uri _url = null!;

    public async Task InitializeAsync()
    {
        await _server.InitializeAsync();
        _url = _server.BaseUrl;
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    private static BenchSettings Settings(string scenario, LinkProfile network) => new()
    {
        Scenarios = [scenario],
        Models = ["sim-instant"],
        Networks = [network],
        ToolRunnerFactory = (name, seed) => new RecordedToolRunner(SampleLocator.GetSample(name).LoadRecording(), LatencyModel.None, seed),
        TaskFor = name => $"{SampleLocator.GetSample(name).LoadScenario().Task}\n\n(scenario: {name})",
        PollInterval = TimeSpan.FromMilliseconds(10),
    };

    [Fact]
    public async Task RunAsync_AllArms_SameTurnsTestsPassAndDeltaSendsLess()
    {
        var results = await new BenchRunner(_url, null, _server.GrpcUrl).RunAsync(Settings("fix-multi", LinkProfile.Loopback), "test");

        Assert.Equal(6, results.Runs.Count);
        Assert.Equal(BenchArms.All, results.Runs.Select(r => r.Arm));
        Assert.All(results.Runs, r => Assert.True(r.TestsPassed, r.Arm));
        Assert.Single(results.Runs.Select(r => r.Turns).Distinct());
        var ws = results.Runs.Single(r => r.Arm == "ws");
        var stateless = results.Runs.Single(r => r.Arm == "http-stateless");
        Assert.True(ws.BytesUp < stateless.BytesUp);
        Assert.True(ws.TokensRendered < stateless.TokensRendered);

        // gRPC carries the same deltas as ws; polling sends deltas too (chained), but no stream comes down.
        var grpc = results.Runs.Single(r => r.Arm == "grpc");
        Assert.True(grpc.BytesUp < stateless.BytesUp);
        Assert.True(grpc.TokensRendered < stateless.TokensRendered);
        Assert.NotNull(grpc.RatioVsWs);
        var polling = results.Runs.Single(r => r.Arm == "http-polling");
        Assert.True(polling.BytesUp < stateless.BytesUp);
        Assert.Equal(1.0, ws.RatioVsWs);
        Assert.All(results.Runs, r => Assert.True(r.FloorMs > 0));
        Assert.All(results.Runs, r => Assert.Equal(r.Turns, r.TurnsDetail[0].Count));
        Assert.Contains(results.CostModel, c => c.Model == "sim-spark" && c.DecodeTokensPerSecond == 1000);
        var json = JsonSerializer.Serialize(results, BenchResultsJsonContext.Default.BenchResults);
        foreach (var field in new[] { "\"cost_model\"", "\"e2e_ms_median\"", "\"ttft_ms_median\"", "\"bytes_up\"", "\"tokens_rendered\"", "\"server_overhead_ms_median\"", "\"floor_ms\"" })
        {
            Assert.Contains(field, json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RunAsync_DropsOnEveryOtherTurn_StillCompletes()
    {
        var flaky = new LinkProfile("flaky", LinkDirection.Unlimited, LinkDirection.Unlimited, DropEveryTurns: 2);
        var settings = Settings("fix-small", flaky) with { Arms = ["ws", "http-stateless", "grpc", "http-polling"] };

        var results = await new BenchRunner(_url, null, _server.GrpcUrl).RunAsync(settings, "test");

        Assert.All(results.Runs, r => Assert.True(r.TestsPassed, r.Arm));
        Assert.All(results.Runs, r => Assert.True(r.Drops > 0, $"{r.Arm}: no drop injected"));
        // Whether a drop lands on a request in flight or on an idle socket depends on timing; either way the session
        // must recover (reconnect counts are covered deterministically by the client's own tests).
        Assert.All(results.Runs, r => Assert.Equal(results.Runs[0].Turns, r.Turns));
    }

    [Fact]
    public void Floor_PerfectCacheModel_AddsModelToolAndNetworkTime()
    {
        var cost = new Protocol.Admin.CostModelProfile("m", BaseLatencyMs: 100, PrefillTokensPerSecond: 1000, DecodeTokensPerSecond: 100);
        var link = new LinkProfile("l", new LinkDirection(TimeSpan.FromMilliseconds(10), 8_000, TimeSpan.Zero),
            new LinkDirection(TimeSpan.FromMilliseconds(10), 0, TimeSpan.Zero), 0);
        var turns = new List<TurnSample>
        {
            // 500 prompt tokens, none cached; 10 output tokens; 20 ms of tools; 1000 bytes up at 8 kbit/s = 1 s.
            new(0, 0, 0, ToolMs: 20, BytesSent: 0, BytesReceived: 0, ItemsSent: 1, PromptTokens: 500, CachedTokens: 0, OutputTokens: 10,
                TokensRendered: 0, ServerOverheadMs: 0, Replays: 0, Reconnects: 0),
            // The next prompt adds 100 new tokens to the 510 before it.
            new(1, 0, 0, ToolMs: 0, BytesSent: 0, BytesReceived: 0, ItemsSent: 1, PromptTokens: 610, CachedTokens: 600, OutputTokens: 10,
                TokensRendered: 0, ServerOverheadMs: 0, Replays: 0, Reconnects: 0),
        };
        var run = new RunMeasurement(TimeSpan.Zero, true, turns, 0, 0, 0, 0, [1000, 0], true);

        double floor = BenchRunner.Floor(run, cost, link);

        // Turn 0: 100 + 500 + 100 + 20 + 20 + 1000; turn 1: 100 + 10 (uncached: min(100 new, 10 not cached)) + 100 + 0 + 20 + 0.
        Assert.Equal(1740 + 230, floor, precision: 6);

        // Each injected drop adds one reconnect handshake (TCP, then the WebSocket upgrade: two round trips of 20 ms), no replay.
        double withDrops = BenchRunner.Floor(run with { InjectedDrops = 3 }, cost, link);
        Assert.Equal(1740 + 230 + 3 * 2 * 20, withDrops, precision: 6);
    }
}
