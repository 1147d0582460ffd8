using Loopwire.Agent.Scenarios;
using Loopwire.Agent.Tools;
using Loopwire.Bench.Matrix;
using Loopwire.Bench.Network;
using Loopwire.TestKit;

namespace Loopwire.Bench.Tests.Matrix;

/// <summary>The multi-agent cell against a real Loopwire (Kestrel on loopback) with the recorded tools and no delays.</summary>
public sealed class MultiAgentBenchmarkTests : IAsyncLifetime
{
    private readonly KestrelLoopwire _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task RunAsync_ThreeSubAgents_LanesOpenOneConnectionAndAllAnswer()
    {
        var settings = new MultiAgentSettings
        {
            Model = "sim-instant",
            Network = LinkProfile.Loopback,
            WarmUp = false,
            ToolRunnerFactory = (name, seed) => new RecordedToolRunner(SampleLocator.GetSample(name).LoadRecording(), LatencyModel.None, seed),
            TaskFor = name => $"{SampleLocator.GetSample(name).LoadScenario().Task}\n\n(scenario: {name})",
        };

        var rows = await MultiAgentBenchmark.RunAsync(_server.BaseUrl, null, settings);

        Assert.Equal(MultiAgentBenchmark.Arms, rows.Select(r => r.Arm).ToArray());
        Assert.All(rows, r => Assert.True(r.AllAnswered, r.Arm));
        Assert.Single(rows.Select(r => r.Turns).Distinct());
        Assert.Equal(1, rows.Single(r => r.Arm == "ws-lanes").ConnectionsOpened);
        Assert.Equal(3, rows.Single(r => r.Arm == "ws-socket-per-agent").ConnectionsOpened);
        Assert.True(rows.Single(r => r.Arm == "ws-lanes").BytesUp < rows.Single(r => r.Arm == "http-stateless").BytesUp);
    }

    [Fact]
    public async Task RunAsync_UnknownArm_ArgumentException()
    {
        var settings = new MultiAgentSettings
        {
            Model = "sim-instant",
            Network = LinkProfile.Loopback,
            Arms = ["carrier-pigeon"],
            ToolRunnerFactory = (_, _) => throw new InvalidOperationException("not reached"),
            TaskFor = _ => "",
        };

        await Assert.ThrowsAsync<ArgumentException>(() => MultiAgentBenchmark.RunAsync(_server.BaseUrl, null, settings));
    }
}
