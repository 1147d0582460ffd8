using Loopwire.Agent.Tools;

namespace Loopwire.Agent.Tests.Tools;

public sealed class TestOutputCollectorTests
{
    [Theory]
    [InlineData("Ran 15 tests in 0.010s\n\nOK", 15, 0)]
    [InlineData("Ran 5 tests in 1s\n\nOK (skipped=2)", 3, 0)]
    [InlineData("Ran 42 tests in 0.017s\n\nFAILED (failures=11)", 31, 11)]
    [InlineData("Ran 10 tests in 0.1s\n\nFAILED (failures=1, errors=2, skipped=1, expected failures=1)", 5, 3)]
    [InlineData("Ran 1 test in 0.000s\n\nFAILED (errors=1)", 0, 1)]
    [InlineData("TAP version 13\nok 1 - a\n1..3\n# tests 3\n# suites 0\n# pass 2\n# fail 1\n# cancelled 0", 2, 1)]
    [InlineData("✔ a (0.5ms)\nℹ tests 4\nℹ pass 4\nℹ fail 0\nℹ cancelled 0", 4, 0)]
    [InlineData("Traceback (most recent call last):\nImportError: no module", 0, 0)]
    public void Counts_ParsesUnittestAndNodeSummaries(string output, int passed, int failed)
    {
        var collector = new TestOutputCollector(60, "/tmp/ws");
        foreach (var line in output.Split('\n'))
        {
            collector.Add(line);
        }

        Assert.Equal((passed, failed), collector.Counts());
    }

    [Fact]
    public void Tail_RemovesWorkspacePathAndDuration_KeepsLastLines()
    {
        var collector = new TestOutputCollector(2, "/tmp/ws");
        collector.Add("  File \"/tmp/ws/pkg/mod.py\", line 3");
        collector.Add("cwd is /tmp/ws");
        collector.Add("Ran 3 tests in 0.012s");

        Assert.Equal("[... 1 earlier lines not shown]\ncwd is .\nRan 3 tests\n", collector.Tail(16 * 1024));
    }

    [Theory]
    [InlineData("passed: 3, failed: 0\nexit code: 0\nRan 3 tests", true, 3, 0, 0)]
    [InlineData("passed: 3, failed: 1\nexit code: 1", true, 3, 1, 1)]
    [InlineData("error: tests timed out after 2s", false, 0, 0, 0)]
    [InlineData("passed: 3\nexit code: 0", false, 0, 0, 0)]
    public void TestRunSummary_TryParse(string output, bool ok, int passed, int failed, int exitCode)
    {
        Assert.Equal(ok, TestRunSummary.TryParse(output, out var summary));
        Assert.Equal(new TestRunSummary(passed, failed, exitCode), summary);
    }

    [Fact]
    public void TestRunSummary_Succeeded_NeedsZeroExitNoFailuresAndSomePasses()
    {
        Assert.True(new TestRunSummary(3, 0, 0).Succeeded);
        Assert.False(new TestRunSummary(3, 1, 1).Succeeded);
        Assert.False(new TestRunSummary(0, 0, 0).Succeeded);
        Assert.False(new TestRunSummary(3, 0, 2).Succeeded);
    }
}
