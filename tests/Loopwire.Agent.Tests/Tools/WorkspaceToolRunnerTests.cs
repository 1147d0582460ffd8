using System.Text;
using Loopwire.Agent.Tools;
using Loopwire.Agent.Workspaces;
using static Loopwire.Agent.Tests.TestKit;

namespace Loopwire.Agent.Tests.Tools;

public sealed class WorkspaceToolRunnerTests : IDisposable
{
    private readonly ScratchRepo _source = new ScratchRepo()
        .With("README.md", "# demo\n")
        .With("app/core.py", "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n")
        .With("app/util.py", "def twice(x):\n    return add(x, x)\n")
        .With("tests/test_core.py", "import unittest\n");

    private readonly Workspace _ws;
    private readonly WorkspaceToolRunner _runner;

    public WorkspaceToolRunnerTests()
    {
        _ws = Workspace.Create(_source.Root);
        _runner = Runner(_ws);
    }

    public void Dispose()
    {
        _ws.Dispose();
        _source.Dispose();
    }

    [Fact]
    public void Definitions_AreTheFiveFunctionTools()
    {
        Assert.Equal(
            [CodingTools.ListFiles, CodingTools.Grep, CodingTools.ReadFile, CodingTools.EditFile, CodingTools.RunTests],
            _runner.Definitions.Select(d => d.Name));
        Assert.All(_runner.Definitions, d =>
        {
            Assert.Equal("function", d.Type);
            Assert.Equal("object", d.Parameters!.Value.GetProperty("type").GetString());
        });
    }

    [Fact]
    public async Task ListFiles_DefaultPattern_ListsSortedRelativePaths()
    {
        var result = await _runner.RunAsync(Call(CodingTools.ListFiles));

        Assert.False(result.IsError);
        Assert.Equal("README.md\napp/core.py\napp/util.py\ntests/test_core.py", result.Output);
    }

    [Theory]
    [InlineData("**/*.py", "app/core.py\napp/util.py\ntests/test_core.py")]
    [InlineData("*.py", "app/core.py\napp/util.py\ntests/test_core.py")]
    [InlineData("app/*.py", "app/core.py\napp/util.py")]
    [InlineData("./app/{core,util}.py", "app/core.py\napp/util.py")]
    [InlineData("**/test_?ore.py", "tests/test_core.py")]
    [InlineData("*.md", "README.md")]
    public async Task ListFiles_Globs_MatchRelativePaths(string pattern, string expected)
    {
        var result = await _runner.RunAsync(Call(CodingTools.ListFiles, new { pattern }));

        Assert.Equal(expected, result.Output);
    }

    [Fact]
    public async Task ListFiles_NoMatch_SaysSo()
    {
        var result = await _runner.RunAsync(Call(CodingTools.ListFiles, new { pattern = "**/*.rs" }));

        Assert.False(result.IsError);
        Assert.Equal("no files match '**/*.rs'", result.Output);
    }

    [Fact]
    public async Task ListFiles_ManyFiles_CappedWithOmittedCount()
    {
        for (int i = 0; i < 600; i++)
        {
            File.WriteAllText(Path.Combine(_ws.Root, $"gen_{i:D3}.txt"), "");
        }

        var lines = (await _runner.RunAsync(Call(CodingTools.ListFiles, new { pattern = "*.txt" }))).Output.Split('\n');

        Assert.Equal(501, lines.Length);
        Assert.Equal("gen_000.txt", lines[0]);
        Assert.Equal("[100 more files not shown; narrow the pattern]", lines[^1]);
    }

    [Fact]
    public async Task Grep_FindsMatches_AsPathLineText()
    {
        var result = await _runner.RunAsync(Call(CodingTools.Grep, new { pattern = @"add\(" }));

        Assert.False(result.IsError);
        Assert.Equal("app/core.py:1: def add(a, b):\napp/util.py:2:     return add(x, x)", result.Output);
    }

    [Fact]
    public async Task Grep_PathGlob_RestrictsFiles()
    {
        var result = await _runner.RunAsync(Call(CodingTools.Grep, new { pattern = "return", path_glob = "app/util.py" }));

        Assert.Equal("app/util.py:2:     return add(x, x)", result.Output);
    }

    [Fact]
    public async Task Grep_MaxMatches_StopsAndSaysSo()
    {
        var result = await _runner.RunAsync(Call(CodingTools.Grep, new { pattern = "return", max_matches = 2 }));

        var lines = result.Output.Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("[stopped after 2 matches", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grep_NoMatch_SaysSo()
    {
        var result = await _runner.RunAsync(Call(CodingTools.Grep, new { pattern = "nothing_like_this" }));

        Assert.False(result.IsError);
        Assert.Equal("no matches for 'nothing_like_this'", result.Output);
    }

    [Fact]
    public async Task Grep_InvalidRegex_ReturnsError()
    {
        var result = await _runner.RunAsync(Call(CodingTools.Grep, new { pattern = "add(" }));

        Assert.True(result.IsError);
        Assert.StartsWith("error: invalid regex 'add('", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grep_CatastrophicRegex_TimesOutAsError()
    {
        File.WriteAllText(Path.Combine(_ws.Root, "slow.txt"), new string('a', 60) + "b\n");
        var runner = Runner(_ws, options: new WorkspaceToolOptions { RegexTimeout = TimeSpan.FromMilliseconds(100) });

        var result = await runner.RunAsync(Call(CodingTools.Grep, new { pattern = "(.*a){30}$", path_glob = "slow.txt" }));

        Assert.True(result.IsError);
        Assert.Contains("timed out", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadFile_WholeFile_ReturnsExactText()
    {
        var result = await _runner.RunAsync(Call(CodingTools.ReadFile, new { path = "app/util.py" }));

        Assert.Equal(new ToolResult("def twice(x):\n    return add(x, x)\n", false), result);
    }

    [Fact]
    public async Task ReadFile_LineRange_ReturnsThoseLines()
    {
        var result = await _runner.RunAsync(Call(CodingTools.ReadFile, new { path = "app/core.py", start_line = 5, end_line = 6 }));

        Assert.Equal("def sub(a, b):\n    return a - b\n", result.Output);
    }

    [Fact]
    public async Task ReadFile_StartPastEnd_ReturnsError()
    {
        var result = await _runner.RunAsync(Call(CodingTools.ReadFile, new { path = "app/core.py", start_line = 50 }));

        Assert.Equal("error: start_line 50 is past the end of app/core.py (6 lines)", result.Output);
    }

    [Fact]
    public async Task ReadFile_HugeFile_CappedWithNote()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++)
        {
            sb.Append("line ").Append(i).Append(" ").Append('x', 40).Append('\n');
        }

        File.WriteAllText(Path.Combine(_ws.Root, "big.txt"), sb.ToString());

        var result = await _runner.RunAsync(Call(CodingTools.ReadFile, new { path = "big.txt" }));

        Assert.False(result.IsError);
        Assert.True(Encoding.UTF8.GetByteCount(result.Output) < 64 * 1024 + 300);
        Assert.StartsWith("line 0 ", result.Output, StringComparison.Ordinal);
        Assert.Contains("[output truncated: showing 65,536 of", result.Output, StringComparison.Ordinal);
        Assert.Contains("of 20000; read the rest with start_line and end_line]", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nope.py", "error: file not found: nope.py")]
    [InlineData("app", "error: 'app' is a directory; use list_files to see its files")]
    [InlineData("../etc/passwd", "error: path '../etc/passwd' leaves the workspace: '..' segments are not allowed")]
    [InlineData("/etc/passwd", "error: absolute paths are not allowed: '/etc/passwd'; use a path relative to the workspace root")]
    public async Task ReadFile_BadPaths_ReturnErrors(string path, string expected)
    {
        var result = await _runner.RunAsync(Call(CodingTools.ReadFile, new { path }));

        Assert.Equal(new ToolResult(expected, true), result);
    }

    [Fact]
    public async Task ReadFile_SymlinkPointingOutside_ReturnsError()
    {
        var outside = Path.Combine(Path.GetTempPath(), $"loopwire-test-secret-{Guid.NewGuid():N}.txt");
        File.WriteAllText(outside, "top secret");
        try
        {
            File.CreateSymbolicLink(Path.Combine(_ws.Root, "app/secret.txt"), outside);

            var read = await _runner.RunAsync(Call(CodingTools.ReadFile, new { path = "app/secret.txt" }));
            var edit = await _runner.RunAsync(Call(CodingTools.EditFile, new { path = "app/secret.txt", old = "top", @new = "no" }));
            var grep = await _runner.RunAsync(Call(CodingTools.Grep, new { pattern = "secret" }));

            Assert.True(read.IsError);
            Assert.Contains("outside the workspace", read.Output, StringComparison.Ordinal);
            Assert.True(edit.IsError);
            Assert.DoesNotContain("top secret", grep.Output, StringComparison.Ordinal);
            Assert.Equal("top secret", File.ReadAllText(outside));
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public async Task EditFile_UniqueMatch_ReplacesAndWrites()
    {
        var result = await _runner.RunAsync(Call(CodingTools.EditFile, new { path = "app/core.py", old = "return a - b", @new = "return b - a" }));

        Assert.Equal(new ToolResult("edited app/core.py: replaced 1 line at line 6 with 1 line", false), result);
        Assert.Contains("return b - a", File.ReadAllText(Path.Combine(_ws.Root, "app/core.py")), StringComparison.Ordinal);
        Assert.StartsWith("M app/core.py ", _ws.Diff(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EditFile_NoMatch_ErrorNamesZeroOccurrences()
    {
        var result = await _runner.RunAsync(Call(CodingTools.EditFile, new { path = "app/core.py", old = "return a * b", @new = "x" }));

        Assert.True(result.IsError);
        Assert.StartsWith("error: 'old' was not found in app/core.py (0 occurrences)", result.Output, StringComparison.Ordinal);
        Assert.Equal("", _ws.Diff());
    }

    [Fact]
    public async Task EditFile_TwoMatches_ErrorNamesCount()
    {
        var result = await _runner.RunAsync(Call(CodingTools.EditFile, new { path = "app/core.py", old = "(a, b):", @new = "(a, b, c):" }));

        Assert.True(result.IsError);
        Assert.StartsWith("error: 'old' occurs 2 times in app/core.py", result.Output, StringComparison.Ordinal);
        Assert.Equal("", _ws.Diff());
    }

    [Fact]
    public async Task EditFile_EmptyOld_ReturnsError()
    {
        var result = await _runner.RunAsync(Call(CodingTools.EditFile, new { path = "app/core.py", old = "", @new = "x" }));

        Assert.Equal("error: 'old' must not be empty", result.Output);
    }

    [Theory]
    [InlineData("delete_file", "{}", "error: unknown tool 'delete_file'")]
    [InlineData("read_file", "{not json", "error: read_file: arguments are not valid JSON")]
    [InlineData("read_file", "[1]", "error: read_file: arguments must be a JSON object")]
    [InlineData("read_file", "{}", "error: missing required argument 'path'")]
    [InlineData("read_file", """{"path":7}""", "error: argument 'path' must be a string")]
    [InlineData("grep", """{"pattern":"x","max_matches":"lots"}""", "error: argument 'max_matches' must be an integer")]
    public async Task RunAsync_BadCalls_ReturnErrors(string name, string arguments, string expectedStart)
    {
        var result = await _runner.RunAsync(new ToolCall("call_1", name, arguments));

        Assert.True(result.IsError);
        Assert.StartsWith(expectedStart, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CancelledToken_Throws()
    {
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _runner.RunAsync(Call(CodingTools.ListFiles), new CancellationToken(canceled: true)));
    }
}
