using Loopwire.Agent.Tools;
using Microsoft.Extensions.Time.Testing;
using static Loopwire.Agent.Tests.TestKit;

namespace Loopwire.Agent.Tests.Tools;

public sealed class FaultInjectingToolRunnerTests
{
    [Fact]
    public async Task RunAsync_FailureRateOne_ReturnsInjectedError_WithoutRunningTheTool()
    {
        var inner = new FakeToolRunner();
        var runner = new FaultInjectingToolRunner(inner, new FaultInjectionOptions { FailureRate = 1 });

        var result = await runner.RunAsync(Call(CodingTools.EditFile, new { path = "a.py", old = "a", @new = "b" }));

        Assert.Equal(new ToolResult("error: injected fault: tool temporarily unavailable", true), result);
        Assert.Empty(inner.Calls);
        Assert.Equal(1, runner.InjectedFailures);
    }

    [Fact]
    public async Task RunAsync_NoFaults_PassesThrough()
    {
        var inner = new FakeToolRunner();
        var runner = new FaultInjectingToolRunner(inner, new FaultInjectionOptions());

        var result = await runner.RunAsync(new ToolCall("c1", CodingTools.ListFiles, "{}"));

        Assert.Equal(new ToolResult("list_files {} #1", false), result);
        Assert.Same(inner.Definitions, runner.Definitions);
    }

    [Fact]
    public void FaultFor_SameSeed_SameSequence_DifferentSeed_DifferentSequence()
    {
        var options = new FaultInjectionOptions { FailureRate = 0.2, LatencySpikeRate = 0.2, HangRate = 0.05, Seed = 42 };
        var a = new FaultInjectingToolRunner(new FakeToolRunner(), options);
        var b = new FaultInjectingToolRunner(new FakeToolRunner(), options);
        var c = new FaultInjectingToolRunner(new FakeToolRunner(), new FaultInjectionOptions { FailureRate = 0.2, LatencySpikeRate = 0.2, HangRate = 0.05, Seed = 43 });

        var seqA = Enumerable.Range(0, 200).Select(i => a.FaultFor(i)).ToList();
        var seqB = Enumerable.Range(0, 200).Select(i => b.FaultFor(i)).ToList();
        var seqC = Enumerable.Range(0, 200).Select(i => c.FaultFor(i)).ToList();

        Assert.Equal(seqA, seqB);
        Assert.NotEqual(seqA, seqC);
        Assert.Contains(InjectedFault.Hang, seqA);
        Assert.Contains(InjectedFault.Failure, seqA);
        Assert.Contains(InjectedFault.LatencySpike, seqA);
        Assert.Contains(InjectedFault.None, seqA);
    }

    [Fact]
    public void FaultFor_Rates_AreRespectedOverManyCalls()
    {
        var runner = new FaultInjectingToolRunner(new FakeToolRunner(), new FaultInjectionOptions { FailureRate = 0.25, Seed = 3 });

        int failures = Enumerable.Range(0, 4000).Count(i => runner.FaultFor(i) == InjectedFault.Failure);

        Assert.InRange(failures, 850, 1150);
    }

    [Fact]
    public async Task RunAsync_CallOrderDecides_SoTwoRunsInjectTheSameFaults()
    {
        var options = new FaultInjectionOptions { FailureRate = 0.5, Seed = 9 };
        var first = new FaultInjectingToolRunner(new FakeToolRunner(), options);
        var second = new FaultInjectingToolRunner(new FakeToolRunner(), options);

        var a = new List<bool>();
        var b = new List<bool>();
        for (int i = 0; i < 50; i++)
        {
            a.Add((await first.RunAsync(Call(CodingTools.ListFiles))).IsError);
            b.Add((await second.RunAsync(Call(CodingTools.ListFiles))).IsError);
        }

        Assert.Equal(a, b);
        Assert.Equal(first.InjectedFailures, a.Count(x => x));
    }

    [Fact]
    public async Task RunAsync_LatencySpike_RunsAfterTheDelay()
    {
        var time = new FakeTimeProvider();
        var inner = new FakeToolRunner();
        var runner = new FaultInjectingToolRunner(
            inner,
            new FaultInjectionOptions { LatencySpikeRate = 1, LatencySpikeDelay = TimeSpan.FromSeconds(5) },
            time);

        var run = runner.RunAsync(Call(CodingTools.ReadFile, new { path = "a.py" }));
        time.Advance(TimeSpan.FromSeconds(4));
        bool completedEarly = run.IsCompleted;
        int innerCallsEarly = inner.Calls.Count;
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(completedEarly);
        Assert.Equal(0, innerCallsEarly);
        Assert.False((await run).IsError);
        Assert.Equal(1, runner.LatencySpikes);
    }

    [Fact]
    public async Task RunAsync_Hang_CompletesOnlyWhenCancelled()
    {
        var time = new FakeTimeProvider();
        var inner = new FakeToolRunner();
        var runner = new FaultInjectingToolRunner(inner, new FaultInjectionOptions { HangRate = 1 }, time);
        using var cts = new CancellationTokenSource();

        var run = runner.RunAsync(Call(CodingTools.RunTests), cts.Token);
        time.Advance(TimeSpan.FromDays(1));
        bool completedBeforeCancel = run.IsCompleted;
        await cts.CancelAsync();

        Assert.False(completedBeforeCancel);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Empty(inner.Calls);
        Assert.Equal(1, runner.Hangs);
    }

    [Theory]
    [InlineData(-0.1, 0, 0)]
    [InlineData(0, 1.5, 0)]
    [InlineData(0, 0, double.NaN)]
    public void Constructor_InvalidRates_Throw(double failure, double spike, double hang)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaultInjectingToolRunner(
            new FakeToolRunner(),
            new FaultInjectionOptions { FailureRate = failure, LatencySpikeRate = spike, HangRate = hang }));
    }
}
