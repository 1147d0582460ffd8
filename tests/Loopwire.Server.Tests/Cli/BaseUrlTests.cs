namespace Loopwire.Server.Tests.Cli;

/// <summary><c>loopwire agent --base-url</c> against a running <c>loopwire serve</c>, and a bad URL.</summary>
public sealed class BaseUrlTests
{
    [Fact]
    public async Task Agent_BaseUrlOfRunningServer_FinishesWithTestsPassing()
    {
        using var server = await LoopwireProcess.ServeAsync(["--store", "memory", "--api-key", "sk-agent"]);

        using var agent = LoopwireProcess.Start(["agent", "--scenario", "fix-small", "--transport", "http-chained", "--model", "sim-instant",
            "--base-url", server.Address!, "--api-key", "sk-agent", "--json"]);
        int? exit = await agent.WaitForExitAsync(TimeSpan.FromMinutes(3));

        Assert.True(exit == 0, agent.Output);
        Assert.Contains("\"tests_passed\":true", agent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_BaseUrlOfRunningServer_MeasuresItAndWritesResults()
    {
        using var server = await LoopwireProcess.ServeAsync(["--store", "memory", "--api-key", "sk-bench"]);
        string outDir = Path.Combine(Path.GetTempPath(), $"loopwire-bench-{Guid.NewGuid():N}");
        try
        {
            using var bench = LoopwireProcess.Start(["bench", "--base-url", server.Address!, "--api-key", "sk-bench", "--scenario", "fix-small",
                "--models", "sim-instant", "--networks", "loopback", "--arms", "ws", "--out", outDir]);
            int? exit = await bench.WaitForExitAsync(TimeSpan.FromMinutes(3));

            Assert.True(exit == 0, bench.Output);
            Assert.Contains("Measuring the running server at", bench.Output, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(outDir, "results.json")), bench.Output);
        }
        finally
        {
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("agent", "--scenario", "fix-small")]
    [InlineData("bench", "overhead", "--turns", "1")]
    [InlineData("bench", "--scenario", "fix-small")]
    public async Task BaseUrl_NotAnHttpUrl_IsAParseErrorNamingTheOption(params string[] command)
    {
        using var p = LoopwireProcess.Start([.. command, "--base-url", "not-a-url"]);
        int? exit = await p.WaitForExitAsync(LoopwireProcess.StartTimeout);

        Assert.NotEqual(0, exit);
        Assert.Contains("--base-url must be an absolute http:// or https:// URL, got 'not-a-url'.", p.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", p.Output, StringComparison.Ordinal);
    }
}
