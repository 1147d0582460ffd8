using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Loopwire.Agent.Tools;
using Loopwire.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace Loopwire.Agent.Tests.Tools;

public sealed class ProcessTreeRunnerTests
{
    private readonly ConcurrentQueue<string> _lines = new();

    [Fact]
    public async Task RunAsync_CommandExits_ReportsExitCodeAndBothStreams()
    {
        var runner = new ProcessTreeRunner(TimeProvider.System);

        var result = await runner.RunAsync(Shell("echo out; echo err >&2; exit 3"), _lines.Enqueue, TimeSpan.FromMinutes(5), CancellationToken.None);

        Assert.Equal(new ProcessRunResult(ProcessRunOutcome.Exited, 3), result);
        Assert.Equal(["err", "out"], _lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunAsync_MissingExecutable_ReturnsFailedToStart()
    {
        var runner = new ProcessTreeRunner(TimeProvider.System);

        var result = await runner.RunAsync(new ProcessStartInfo("loopwire-no-such-binary"), _lines.Enqueue, TimeSpan.FromMinutes(5), CancellationToken.None);

        Assert.Equal(ProcessRunOutcome.FailedToStart, result.Outcome);
        Assert.False(string.IsNullOrEmpty(result.StartError));
    }

    [Fact]
    public async Task RunAsync_Timeout_KillsWholeTreeAndReportsTimedOut()
    {
        var time = new FakeTimeProvider();
        var runner = new ProcessTreeRunner(time);
        var childPid = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        var run = runner.RunAsync(
            Shell("sleep 600 & echo $!; wait"),
            line => childPid.TrySetResult(int.Parse(line, CultureInfo.InvariantCulture)),
            TimeSpan.FromSeconds(30),
            CancellationToken.None);
        int child = await childPid.Task.WaitAsync(TimeSpan.FromMinutes(1));
        time.Advance(TimeSpan.FromSeconds(30));
        var result = await run.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(ProcessRunOutcome.TimedOut, result.Outcome);
        Assert.True(await IsGoneAsync(child), $"the grandchild {child} survived the kill");
    }

    [Fact]
    public async Task RunAsync_Cancelled_KillsTreeAndThrows()
    {
        var runner = new ProcessTreeRunner(TimeProvider.System);
        var childPid = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();

        var run = runner.RunAsync(
            Shell("sleep 600 & echo $!; wait"),
            line => childPid.TrySetResult(int.Parse(line, CultureInfo.InvariantCulture)),
            TimeSpan.FromMinutes(5),
            cts.Token);
        int child = await childPid.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(await IsGoneAsync(child), $"the grandchild {child} survived the kill");
    }

    private static ProcessStartInfo Shell(string script) => new("sh") { ArgumentList = { "-c", script } };

    /// <summary>Whether the process has exited (a zombie no one has reaped yet counts as exited).</summary>
    private static Task<bool> IsGoneAsync(int pid) => Eventually.UntilAsync(async () =>
    {
        string stat;
        try
        {
            stat = await File.ReadAllTextAsync($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return true;
        }

        // Field 3, after the parenthesised command name, is the state.
        return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
    }, TimeSpan.FromSeconds(10));
}
