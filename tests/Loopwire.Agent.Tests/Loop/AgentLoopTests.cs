using Loopwire.Agent.Loop;
using Loopwire.Agent.Scenarios;
using Loopwire.Agent.Tools;
using Loopwire.Client.Sessions;
using Loopwire.Protocol.Requests;
using Loopwire.TestKit;

namespace Loopwire.Agent.Tests.Loop;

/// <summary>
/// The agent end to end against a real Loopwire server whose simulated model plays each sample's script (the oracle),
/// with the real tools on a copy of the sample: the fix is made for real and the sample's tests pass afterwards.
/// </summary>
public sealed class AgentLoopTests(KestrelLoopwire server) : IClassFixture<KestrelLoopwire>
{
    public static TheoryData<string> Transports => new() { "WebSocket", "WebSocketFullReplay", "HttpChained", "HttpStateless", "Grpc" };

    private async Task<(AgentRunResult Result, string Diff, bool TestsPass)> RunRealAsync(string scenario, SessionTransport transport,
        double failureRate = 0)
    {
        var sample = SampleLocator.GetSample(scenario);
        var script = sample.LoadScenario();
        using var workspace = sample.CreateWorkspace();
        IToolRunner tools = new WorkspaceToolRunner(workspace, script);
        if (failureRate > 0)
        {
            tools = new FaultInjectingToolRunner(tools, new FaultInjectionOptions { FailureRate = failureRate, Seed = 11 });
        }

        await using var session = new ResponseSession(new ResponseSessionOptions
        {
            Endpoint = server.BaseUrl,
            GrpcEndpoint = server.GrpcUrl,
            Transport = transport,
        });
        var loop = new AgentLoop(session, tools, new AgentOptions { Model = "sim-instant" });
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));

        var result = await loop.RunAsync($"{script.Task}\n\n(scenario: {scenario})", cancellationToken: cts.Token);

        var check = await new WorkspaceToolRunner(workspace, script).RunAsync(new ToolCall("check", CodingTools.RunTests, "{}"), cts.Token);
        bool pass = TestRunSummary.TryParse(check.Output, out var summary) && summary.Succeeded;
        return (result, workspace.Diff(), pass);
    }

    [Theory]
    [InlineData("fix-small")]
    [InlineData("fix-multi")]
    public async Task RunAsync_EveryTransport_SameTurnsSameDiffTestsPass(string scenario)
    {
        var runs = new List<(string Transport, AgentRunResult Result, string Diff, bool Pass)>();
        foreach (var t in Enum.GetValues<SessionTransport>())
        {
            var (result, diff, pass) = await RunRealAsync(scenario, t);
            runs.Add((t.ToString(), result, diff, pass));
        }

        Assert.All(runs, r => Assert.True(r.Pass, $"{r.Transport}: tests fail after the agent ran"));
        Assert.All(runs, r => Assert.Equal(AgentStopReason.Answered, r.Result.StopReason));
        Assert.Single(runs.Select(r => r.Result.Turns.Count).Distinct());
        Assert.Single(runs.Select(r => r.Result.ToolCalls).Distinct());
        Assert.Single(runs.Select(r => r.Diff).Distinct());
        Assert.NotEmpty(runs[0].Diff);
        var ws = runs.Single(r => r.Transport == nameof(SessionTransport.WebSocket)).Result;
        var full = runs.Single(r => r.Transport == nameof(SessionTransport.WebSocketFullReplay)).Result;
        Assert.True(ws.BytesSent < full.BytesSent, "delta mode should send fewer bytes than full replay");
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task RunAsync_LongHaulWithRecordedTools_CompletesOnEveryTransport(string transport)
    {
        var sample = SampleLocator.GetSample("long-haul");
        var script = sample.LoadScenario();
        var tools = new RecordedToolRunner(sample.LoadRecording(), LatencyModel.None);
        await using var session = new ResponseSession(new ResponseSessionOptions
        {
            Endpoint = server.BaseUrl,
            GrpcEndpoint = server.GrpcUrl,
            Transport = Enum.Parse<SessionTransport>(transport),
        });
        var loop = new AgentLoop(session, tools, new AgentOptions { Model = "sim-instant" });

        var result = await loop.RunAsync($"{script.Task}\n\n(scenario: long-haul)");

        Assert.Equal(AgentStopReason.Answered, result.StopReason);
        Assert.Equal(script.Steps.Count, result.Turns.Count);
        Assert.True(result.Turns.Count >= 60);
        var lastTests = result.Turns.SelectMany(t => t.Calls).Last(c => c.Call.Name == CodingTools.RunTests);
        Assert.True(TestRunSummary.TryParse(lastTests.Result.Output, out var s) && s.Succeeded);
    }

    [Fact]
    public async Task RunAsync_TwentyPercentToolFailures_StillFixesTheBug()
    {
        var (result, _, pass) = await RunRealAsync("fix-small", SessionTransport.WebSocket, failureRate: 0.2);

        Assert.True(pass);
        Assert.Equal(AgentStopReason.Answered, result.StopReason);
        Assert.Contains(result.Turns.SelectMany(t => t.Calls), c => c.Result.IsError);
    }

    [Fact]
    public async Task RunAsync_ParallelCalls_RunConcurrently()
    {
        // fix-small's third step reads two files in one turn; the runner only lets them finish together.
        var sample = SampleLocator.GetSample("fix-small");
        var script = sample.LoadScenario();
        var barrier = new BarrierToolRunner(new RecordedToolRunner(sample.LoadRecording(), LatencyModel.None), participants: 2, "read_file");
        await using var session = new ResponseSession(new ResponseSessionOptions { Endpoint = server.BaseUrl, Transport = SessionTransport.WebSocket });
        var loop = new AgentLoop(session, barrier, new AgentOptions { Model = "sim-instant", ToolTimeout = TimeSpan.FromSeconds(20) });

        var result = await loop.RunAsync($"{script.Task}\n\n(scenario: fix-small)");

        var parallel = result.Turns.First(t => t.Calls.Count == 2);
        Assert.All(parallel.Calls, c => Assert.False(c.Result.IsError, c.Result.Output));
        Assert.Equal(2, barrier.MaxConcurrent);
    }

    [Fact]
    public async Task RunAsync_IterationCap_LastTurnHasNoToolsAndAnswers()
    {
        var sample = SampleLocator.GetSample("fix-small");
        var script = sample.LoadScenario();
        await using var session = new ResponseSession(new ResponseSessionOptions { Endpoint = server.BaseUrl, Transport = SessionTransport.WebSocket });
        var loop = new AgentLoop(session, new RecordedToolRunner(sample.LoadRecording(), LatencyModel.None),
            new AgentOptions { Model = "sim-instant", MaxIterations = 3 });

        var result = await loop.RunAsync($"{script.Task}\n\n(scenario: fix-small)");

        Assert.Equal(AgentStopReason.Answered, result.StopReason);
        Assert.Equal(3, result.Turns.Count);
        Assert.Empty(result.Turns[^1].Calls);
        Assert.Contains("stopped before finishing", result.FinalText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_EveryCallFails_StopsAtConsecutiveErrorCap()
    {
        var sample = SampleLocator.GetSample("fix-small");
        var script = sample.LoadScenario();
        var failing = new FaultInjectingToolRunner(new RecordedToolRunner(sample.LoadRecording(), LatencyModel.None),
            new FaultInjectionOptions { FailureRate = 1, Seed = 1 });
        await using var session = new ResponseSession(new ResponseSessionOptions { Endpoint = server.BaseUrl, Transport = SessionTransport.WebSocket });
        var loop = new AgentLoop(session, failing, new AgentOptions { Model = "sim-instant", MaxConsecutiveToolErrors = 3 });

        var result = await loop.RunAsync($"{script.Task}\n\n(scenario: fix-small)");

        Assert.Equal(AgentStopReason.ToolErrors, result.StopReason);
        Assert.Equal(3, result.Turns.Count);
    }

    [Fact]
    public async Task RunAsync_HangingTool_TimesOutAsAnErrorResult()
    {
        var sample = SampleLocator.GetSample("fix-small");
        var script = sample.LoadScenario();
        var hanging = new FaultInjectingToolRunner(new RecordedToolRunner(sample.LoadRecording(), LatencyModel.None),
            new FaultInjectionOptions { HangRate = 1, Seed = 1 });
        await using var session = new ResponseSession(new ResponseSessionOptions { Endpoint = server.BaseUrl, Transport = SessionTransport.WebSocket });
        var loop = new AgentLoop(session, hanging, new AgentOptions
        {
            Model = "sim-instant",
            ToolTimeout = TimeSpan.FromMilliseconds(200),
            MaxConsecutiveToolErrors = 2,
        });

        var result = await loop.RunAsync($"{script.Task}\n\n(scenario: fix-small)");

        Assert.Equal(AgentStopReason.ToolErrors, result.StopReason);
        Assert.Contains("timed out", result.Turns[0].Calls[0].Result.Output, StringComparison.Ordinal);
    }

    /// <summary>Holds calls of one tool until <c>participants</c> of them are running at once (or 10 s pass).</summary>
    private sealed class BarrierToolRunner(IToolRunner inner, int participants, string tool) : IToolRunner
    {
        private readonly SemaphoreSlim _arrived = new(0);
        private int _running;

        public int MaxConcurrent { get; private set; }

        public IReadOnlyList<ToolDefinition> Definitions => inner.Definitions;

        public async Task<ToolResult> RunAsync(ToolCall call, CancellationToken cancellationToken = default)
        {
            if (call.Name != tool)
            {
                return await inner.RunAsync(call, cancellationToken);
            }

            int now = Interlocked.Increment(ref _running);
            lock (this)
            {
                MaxConcurrent = Math.Max(MaxConcurrent, now);
            }

            _arrived.Release();
            try
            {
                // Wait until the others of the turn have started too: only possible if calls run concurrently.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                while (Volatile.Read(ref _running) < participants && !timeout.IsCancellationRequested)
                {
                    await _arrived.WaitAsync(TimeSpan.FromMilliseconds(50), cancellationToken);
                }

                return await inner.RunAsync(call, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }
}
