using System.Text;
using Loopwire.Agent.Tools;
using Loopwire.Agent.Workspaces;
using Microsoft.Extensions.Time.Testing;
using static Loopwire.Agent.Tests.TestKit;

namespace Loopwire.Agent.Tests.Tools;

public sealed class RunTestsTests : IDisposable
{
    private const string FailingSuite = """
        import unittest


        class T(unittest.TestCase):
            def test_ok(self):
                self.assertEqual(1, 1)

            def test_fails(self):
                self.assertEqual(1, 2)

            def test_errors(self):
                raise RuntimeError("boom")

            @unittest.skip("later")
            def test_skipped(self):
                pass
        """;

    private readonly ScratchRepo _source = new ScratchRepo()
        .With("tests/__init__.py", "")
        .With("tests/test_demo.py", FailingSuite);

    private readonly Workspace _ws;

    public RunTestsTests() => _ws = Workspace.Create(_source.Root);

    public void Dispose()
    {
        _ws.Dispose();
        _source.Dispose();
    }

    [Fact]
    public async Task RunTests_PythonFailures_FirstLinesHaveCountsAndExitCode()
    {
        var result = await Runner(_ws).RunAsync(Call(CodingTools.RunTests));

        Assert.False(result.IsError);
        var lines = result.Output.Split('\n');
        Assert.Equal("passed: 1, failed: 2", lines[0]);
        Assert.Equal("exit code: 1", lines[1]);
        Assert.Contains("Ran 4 tests", lines);
        Assert.Contains("FAILED (failures=1, errors=1, skipped=1)", lines);
        Assert.Contains("  File \"tests/test_demo.py\", line 9, in test_fails", lines);
        Assert.DoesNotContain(_ws.Root, result.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_ws.Root, "tests", "__pycache__")));
    }

    [Fact]
    public async Task RunTests_IdenticalRuns_GiveIdenticalOutput()
    {
        var runner = Runner(_ws);

        var first = await runner.RunAsync(Call(CodingTools.RunTests));
        var second = await runner.RunAsync(Call(CodingTools.RunTests));

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task RunTests_NodeTestRunner_CountsParsed()
    {
        File.WriteAllText(Path.Combine(_ws.Root, "demo.test.mjs"), """
            import test from 'node:test';
            import assert from 'node:assert';
            test('one', () => assert.equal(1, 1));
            test('two', () => assert.equal(2, 2));
            test('three', () => assert.equal(3, 4));
            """);

        var result = await Runner(_ws, ["node", "--test", "demo.test.mjs"]).RunAsync(Call(CodingTools.RunTests));

        Assert.True(TestRunSummary.TryParse(result.Output, out var summary), result.Output);
        Assert.Equal(new TestRunSummary(2, 1, 1), summary);
    }

    [Fact]
    public async Task RunTests_HugeOutput_TailCapped()
    {
        var command = new[] { "python3", "-c", "import sys\nfor i in range(200000): print('noise line', i)\nsys.exit(3)" };

        var result = await Runner(_ws, command).RunAsync(Call(CodingTools.RunTests));

        Assert.False(result.IsError);
        Assert.StartsWith("passed: 0, failed: 0\nexit code: 3\n[... 199940 earlier lines not shown]\n", result.Output, StringComparison.Ordinal);
        Assert.EndsWith("noise line 199999", result.Output, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(result.Output) <= 16 * 1024 + 200);
    }

    [Fact]
    public async Task RunTests_MissingExecutable_ReturnsError()
    {
        var result = await Runner(_ws, ["loopwire-no-such-binary"]).RunAsync(Call(CodingTools.RunTests));

        Assert.True(result.IsError);
        Assert.StartsWith("error: could not start the test command 'loopwire-no-such-binary'", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunTests_Hanging_KilledAtTimeout()
    {
        // A plain binary: an interpreter behind a version-manager shim (pyenv's python3) may print its own lines when it is
        // killed while still starting, and this test pins the exact output. Python trees are covered below.
        var time = new FakeTimeProvider();
        var runner = Runner(_ws, ["sleep", "600"], TimeSpan.FromSeconds(2), time: time);

        var run = runner.RunAsync(Call(CodingTools.RunTests));
        await WaitForProcessesAsync(run);
        time.Advance(TimeSpan.FromSeconds(2));
        var result = await run.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(new ToolResult("error: tests timed out after 2s", true), result);
        Assert.Empty(await ProcessesInsideAsync(_ws.Root));
    }

    [Fact]
    public async Task RunTests_HangingWithChildProcess_KillsWholeTreeAtTimeout()
    {
        var time = new FakeTimeProvider();
        var runner = Runner(_ws, ["sh", "-c", "sleep 600 & echo started child; wait"], TimeSpan.FromSeconds(3), time: time);

        var run = runner.RunAsync(Call(CodingTools.RunTests));
        await WaitForProcessesAsync(run, count: 2);
        time.Advance(TimeSpan.FromSeconds(3));
        var result = await run.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(result.IsError);
        Assert.StartsWith("error: tests timed out after 3s\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("started child", result.Output, StringComparison.Ordinal);
        Assert.Empty(await ProcessesInsideAsync(_ws.Root));
    }

    [Fact]
    public async Task RunTests_Cancelled_KillsPythonProcessTreeAndThrows()
    {
        const string Script = "import subprocess, sys, time\n"
            + "subprocess.Popen([sys.executable, '-c', \"open('child-started', 'w').close(); import time; time.sleep(600)\"])\n"
            + "time.sleep(600)\n";
        var runner = Runner(_ws, ["python3", "-c", Script], TimeSpan.FromMinutes(5));
        using var cts = new CancellationTokenSource();

        var run = runner.RunAsync(Call(CodingTools.RunTests), cts.Token);
        for (int i = 0; i < 2400 && !File.Exists(Path.Combine(_ws.Root, "child-started")) && !run.IsCompleted; i++)
        {
            await Task.Delay(50);
        }

        Assert.True(File.Exists(Path.Combine(_ws.Root, "child-started")), "the grandchild did not start");
        Assert.True(ProcessesInside(_ws.Root).Count >= 2);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Empty(await ProcessesInsideAsync(_ws.Root));
    }

    private async Task WaitForProcessesAsync(Task run, int count = 1)
    {
        // Bounded polling, not a timing assertion: the run's own timeout ends the wait in the worst case.
        for (int i = 0; i < 600 && !run.IsCompleted; i++)
        {
            if (ProcessesInside(_ws.Root).Count >= count)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"the test command did not start {count} process(es) in the workspace");
    }

    /// <summary>Live processes whose working directory is in the workspace, after giving killed ones time to go.</summary>
    private static async Task<IReadOnlyList<int>> ProcessesInsideAsync(string root)
    {
        IReadOnlyList<int> alive = ProcessesInside(root);
        for (int i = 0; i < 100 && alive.Count > 0; i++)
        {
            await Task.Delay(50);
            alive = ProcessesInside(root);
        }

        return alive;
    }

    private static List<int> ProcessesInside(string root)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            try
            {
                var cwd = new DirectoryInfo(Path.Combine(dir, "cwd")).LinkTarget;
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                bool zombie = stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
                if (!zombie && cwd is not null && (cwd == root || cwd.StartsWith(root + "/", StringComparison.Ordinal)))
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process went away while we looked.
            }
        }

        return found;
    }
}
