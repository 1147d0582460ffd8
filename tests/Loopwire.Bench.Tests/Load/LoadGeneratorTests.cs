using Loopwire.Bench.Load;
using Loopwire.TestKit;

namespace Loopwire.Bench.Tests.Load;

/// <summary><c>bench load</c> against an in-process server, with tiny sizes.</summary>
public sealed class LoadGeneratorTests : IAsyncLifetime
{
    private readonly KestrelLoopwire _server = new();
    private CeilingServer _ceiling = null!;

    public async Task InitializeAsync()
    {
        await _server.InitializeAsync();
        _ceiling = await CeilingServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _ceiling.DisposeAsync();
        await _server.DisposeAsync();
    }

    private static LoadSettings Tiny(params string[] arms) => new()
    {
        Sessions = 3,
        Turns = 4,
        WarmupTurns = 1,
        WarmupRounds = 0,
        HistoryTokens = 300,
        Model = "sim-instant",
        Arms = arms,
    };

    [Fact]
    public async Task RunAsync_AllArms_CountsEveryTurnWithOrderedPercentilesAndServerFigures()
    {
        using var probe = new ServerProbe(Environment.ProcessId, _server.BaseUrl, null);

        var result = await LoadGenerator.RunAsync(new LoadTarget(_server.BaseUrl, null, probe), null, Tiny([.. LoadSettings.AllArms]));

        Assert.Equal(LoadSettings.AllArms, result.Arms.Select(a => a.Arm));
        Assert.Null(result.Ceiling);
        Assert.All(result.Arms, a =>
        {
            Assert.Equal(0, a.Errors);
            Assert.Equal(3 * 4, a.Turns);
            Assert.True(a.TurnsPerS > 0, a.Arm);
            Assert.True(a.P50Ms > 0 && a.P50Ms <= a.P90Ms && a.P90Ms <= a.P99Ms, $"{a.Arm}: {a.P50Ms} {a.P90Ms} {a.P99Ms}");
            Assert.NotNull(a.ServerCpuMsPerTurn);
            Assert.True(a.ServerRssMb > 0, a.Arm);
            Assert.NotNull(a.Gen0);
        });
        var ws = result.Arms.Single(a => a.Arm == "ws");
        Assert.True(ws.FramesPerTurn > 2, $"{ws.FramesPerTurn}");
        Assert.True(ws.BytesPerTurn > ws.FramesPerTurn, $"{ws.BytesPerTurn}");
        Assert.Null(result.Arms.Single(a => a.Arm == "http-chained").FramesPerTurn);
    }

    [Fact]
    public async Task RunAsync_WarmupRounds_RunsAtMostTheRoundsBeforeMeasuringAndCountsThem()
    {
        using var probe = new ServerProbe(Environment.ProcessId, null, null);

        var result = await LoadGenerator.RunAsync(new LoadTarget(_server.BaseUrl, null, probe), null,
            Tiny("ws") with { WarmupRounds = 3, WarmupRoundTurns = 2 });

        var ws = Assert.Single(result.Arms);
        Assert.Equal(0, ws.Errors);
        Assert.Equal(3 * 4, ws.Turns);
        // Two rounds at least (a settled round compares with the one before) and three at most, then the warm-up turn.
        Assert.InRange(ws.WarmupRounds, 2, 3);
        Assert.Equal((ws.WarmupRounds * 2) + 1, ws.WarmupTurns);
        Assert.Null(ws.WarmupJitMethodsLastWindow);
    }

    [Fact]
    public async Task RunAsync_ServerWithMetrics_ReportsJitAndAllocationAndWarmsUpOnSessionsOfItsOwn()
    {
        using var probe = new ServerProbe(null, _server.BaseUrl, null);
        var settings = Tiny("ws") with { WarmupRounds = 4, WarmupRoundTurns = 2 };

        var result = await LoadGenerator.RunAsync(new LoadTarget(_server.BaseUrl, null, probe), null, settings);

        var ws = Assert.Single(result.Arms);
        Assert.Equal(0, ws.Errors);
        Assert.Equal(3 * 4, ws.Turns);
        Assert.InRange(ws.WarmupRounds, 2, 4);
        Assert.NotNull(ws.WarmupJitMethodsLastWindow);
        Assert.NotNull(ws.JitMethodsMeasured);
        Assert.True(ws.ServerAllocKbPerTurn > 0, $"{ws.ServerAllocKbPerTurn}");
    }

    [Fact]
    public void Validate_WarmupRoundsOutOfRange_NamesTheOption()
    {
        var settings = Tiny("ws") with { WarmupRounds = -1 };

        Assert.Contains("--warmup-rounds", settings.Validate() ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Ceiling_ReplaysTheWsArmsFramesAndReportsRatios()
    {
        using var probe = new ServerProbe(Environment.ProcessId, null, null);
        using var ceilingProbe = new ServerProbe(Environment.ProcessId, null, null);

        var result = await LoadGenerator.RunAsync(new LoadTarget(_server.BaseUrl, null, probe), new LoadTarget(_ceiling.BaseUrl, null, ceilingProbe),
            Tiny("ws") with { Ceiling = true });

        Assert.Equal(["ws", "ceiling"], result.Arms.Select(a => a.Arm));
        var ws = result.Arms[0];
        var ceiling = result.Arms[1];
        Assert.Equal(ws.Turns, ceiling.Turns);
        Assert.Equal(0, ceiling.Errors);
        Assert.Equal(ws.FramesPerTurn, ceiling.FramesPerTurn);
        Assert.Equal(ws.BytesPerTurn, ceiling.BytesPerTurn);
        Assert.NotNull(result.Ceiling);
        Assert.True(result.Ceiling.TurnsPerSRatio > 0);
        Assert.Equal(ws.TurnsPerS / ceiling.TurnsPerS, result.Ceiling.TurnsPerSRatio, 9);

        // CPU comes from /proc in clock ticks: a dozen tiny turns may not last one, and a zero has no ratio.
        double a = Assert.NotNull(ws.ServerCpuMsPerTurn);
        double b = Assert.NotNull(ceiling.ServerCpuMsPerTurn);
        Assert.Equal(b > 0 ? a / b : null, result.Ceiling.CpuPerTurnRatio);
    }

    [Fact]
    public async Task RunAsync_CeilingWithRepeats_AlternatesTheArmsAndReportsTheMedianRatios()
    {
        using var probe = new ServerProbe(Environment.ProcessId, null, null);
        using var ceilingProbe = new ServerProbe(Environment.ProcessId, null, null);

        var result = await LoadGenerator.RunAsync(new LoadTarget(_server.BaseUrl, null, probe), new LoadTarget(_ceiling.BaseUrl, null, ceilingProbe),
            Tiny("ws", "http-chained") with { Ceiling = true, Repeats = 3 });

        Assert.Equal(["ws", "ceiling", "ws", "ceiling", "ws", "ceiling", "http-chained"], result.Arms.Select(a => a.Arm));
        Assert.Equal([1, 1, 2, 2, 3, 3, null], result.Arms.Select(a => a.Repeat));
        Assert.NotNull(result.Ceiling);
        var c = result.Ceiling;
        var tps = result.Arms.Chunk(2).Take(3).Select(pair => pair[0].TurnsPerS / pair[1].TurnsPerS).ToList();
        Assert.Equal(tps, c.TurnsPerSRatios);
        Assert.Equal(tps.Order().ElementAt(1), c.TurnsPerSRatio, 9);
        Assert.Equal(3, c.CpuPerTurnRatios.Count);
        // Each ceiling replays the frames of the ws measurement just before it.
        Assert.All(result.Arms.Chunk(2).Take(3), pair => Assert.Equal(pair[0].BytesPerTurn, pair[1].BytesPerTurn));
    }

    [Theory]
    [InlineData(new[] { 2.0 }, 2.0)]
    [InlineData(new[] { 3.0, 1.0 }, 2.0)]
    [InlineData(new[] { 5.0, 1.0, 2.0 }, 2.0)]
    public void Median_OddAndEvenCounts_AsTheRatiosUseIt(double[] values, double expected) => Assert.Equal(expected, Loopwire.Bench.Matrix.Stats.Median(values));

    [Fact]
    public async Task RunAsync_CeilingWithoutEndpoint_Throws()
    {
        using var probe = new ServerProbe(null, null, null);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            LoadGenerator.RunAsync(new LoadTarget(_server.BaseUrl, null, probe), null, Tiny("ws") with { Ceiling = true }));

        Assert.Contains("ceiling", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hold_ThreeSessions_HoldsThemAndReportsMemoryPerSession()
    {
        using var probe = new ServerProbe(Environment.ProcessId, null, null);

        var result = await HoldRunner.RunAsync(new LoadTarget(_server.BaseUrl, null, probe), 3, 200, "sim-instant", settle: TimeSpan.Zero);

        Assert.Equal(3, result.Held);
        Assert.Equal(0, result.Errors);
        Assert.Null(result.FirstError);
        Assert.NotNull(result.HeldRssMb);
        Assert.NotNull(result.RssKbPerSession);
    }
}
