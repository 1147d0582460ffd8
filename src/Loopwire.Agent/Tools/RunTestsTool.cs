using System.Diagnostics;
using System.Text;
using Loopwire.Agent.Workspaces;

namespace Loopwire.Agent.Tools;

/// <summary><c>run_tests {}</c>: runs the repository's test command and reports the counts, exit code and output tail.</summary>
/// <remarks>
/// The command is an argv (no shell), run in the workspace root with <c>PYTHONDONTWRITEBYTECODE=1</c>; the whole process
/// tree is killed at the timeout or on cancellation (<see cref="ProcessTreeRunner"/>). Workspace paths in the output are
/// made relative and python's "Ran N tests in 0.012s" loses its duration (<see cref="TestOutputCollector"/>), so identical
/// runs give identical results.
/// </remarks>
internal sealed class RunTestsTool(IReadOnlyList<string> testCommand, TimeSpan testTimeout, WorkspaceToolOptions options, ProcessTreeRunner processes)
    : ITool
{
    public string Name => CodingTools.RunTests;

    public async Task<ToolResult> RunAsync(ToolArguments arguments, Workspace workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var startInfo = new ProcessStartInfo(testCommand[0])
        {
            WorkingDirectory = workspace.Root,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in testCommand.Skip(1))
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        startInfo.Environment["PYTHONUNBUFFERED"] = "1";
        startInfo.Environment["NO_COLOR"] = "1";

        var collector = new TestOutputCollector(options.TestOutputTailLines, workspace.Root);
        var run = await processes.RunAsync(startInfo, collector.Add, testTimeout, cancellationToken).ConfigureAwait(false);
        switch (run.Outcome)
        {
            case ProcessRunOutcome.FailedToStart:
                return ToolResult.Error($"could not start the test command '{testCommand[0]}': {run.StartError}");
            case ProcessRunOutcome.TimedOut:
                var tail = collector.Tail(options.TestOutputTailBytes);
                return ToolResult.Error(
                    $"tests timed out after {ToolText.Seconds(testTimeout)}s" + (tail.Length > 0 ? "\nthe test process tree was killed; last output:\n" + tail.TrimEnd('\n') : ""));
        }

        var (passed, failed) = collector.Counts();
        var summary = new TestRunSummary(passed, failed, run.ExitCode);
        var output = summary + "\n" + collector.Tail(options.TestOutputTailBytes);
        return ToolResult.Ok(OutputLimits.Cap(output.TrimEnd('\n'), options.MaxOutputBytes, "the output was cut"));
    }
}
