using Loopwire.Agent.Tools;

namespace Loopwire.Agent.Tests.Tools;

public sealed class DelegatingToolRunnerTests
{
    [Fact]
    public async Task RunAsync_NoOverride_PassesCallsAndDefinitionsThrough()
    {
        var inner = new FakeToolRunner();
        var runner = new PassThroughRunner(inner);

        var result = await runner.RunAsync(new ToolCall("c1", "grep", "{}"));

        Assert.Same(inner.Definitions, runner.Definitions);
        Assert.Equal(ToolResult.Ok("grep {} #1"), result);
        Assert.Equal("c1", Assert.Single(inner.Calls).CallId);
    }

    [Fact]
    public void Constructor_NullInner_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new PassThroughRunner(null!));
    }

    private sealed class PassThroughRunner(IToolRunner inner) : DelegatingToolRunner(inner);
}
