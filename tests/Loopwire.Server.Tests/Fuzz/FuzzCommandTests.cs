namespace Loopwire.Server.Tests.Fuzz;

/// <summary><c>loopwire fuzz</c> as a process: it refuses targets beyond loopback.</summary>
public sealed class FuzzCommandTests
{
    [Theory]
    [InlineData("http://10.1.2.3:8080")]
    [InlineData("http://example.com")]
    [InlineData("not a url")]
    public async Task Fuzz_NonLoopbackTarget_ExitsWith2(string target)
    {
        using var p = LoopwireProcess.Start(["fuzz", "--target", target, "--count", "10"]);

        Assert.Equal(2, await p.WaitForExitAsync(LoopwireProcess.StartTimeout));
        Assert.Contains("only allowed against loopback", p.Output, StringComparison.Ordinal);
    }
}
