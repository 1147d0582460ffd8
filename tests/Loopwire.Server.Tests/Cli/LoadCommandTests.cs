namespace Loopwire.Server.Tests.Cli;

/// <summary><c>loopwire bench load</c>: bad arguments are clear errors naming the option, not crashes.</summary>
public sealed class LoadCommandTests
{
    [Theory]
    [InlineData("unknown arm(s) grpc; known: ws, http-chained, http-stateless.", "--arms", "ws,grpc")]
    [InlineData("--sessions must be between 1 and 10000, got 0.", "--sessions", "0")]
    [InlineData("--ceiling replays the ws arm's frames; add ws to --arms.", "--arms", "http-chained", "--ceiling")]
    [InlineData("--repeats must be between 1 and 20, got 0.", "--repeats", "0", "--ceiling")]
    [InlineData("--repeats alternates the ws arm with the ceiling; add --ceiling.", "--repeats", "3")]
    [InlineData("--hold must be between 1 and 1000000, got 0.", "--hold", "0")]
    [InlineData("Argument 'parallel' not recognized. Must be one of:", "--gc", "parallel")]
    [InlineData("--base-url must be an absolute http:// or https:// URL, got 'nope'.", "--base-url", "nope")]
    public async Task BenchLoad_BadArgument_ExitsNonZeroNamingTheOption(string expected, params string[] args)
    {
        using var p = LoopwireProcess.Start(["bench", "load", .. args]);
        int? exit = await p.WaitForExitAsync(LoopwireProcess.StartTimeout);

        Assert.NotNull(exit);
        Assert.NotEqual(0, exit);
        Assert.Contains(expected, p.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", p.Output, StringComparison.Ordinal);
    }
}
