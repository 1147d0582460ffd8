using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Loopwire.Agent.Workspaces;
using Loopwire.Protocol.Requests;
using Loopwire.Scenarios;

namespace Loopwire.Agent.Tools;

/// <summary>Limits of <see cref="WorkspaceToolRunner"/>. Validated when the runner is created.</summary>
public sealed class WorkspaceToolOptions
{
    /// <summary>The most paths <c>list_files</c> returns. <value>Default 500.</value></summary>
    public int MaxListedFiles { get; init; } = 500;

    /// <summary>The cap on any tool output, in UTF-8 bytes. <value>Default 64 KiB.</value></summary>
    public int MaxOutputBytes { get; init; } = 64 * 1024;

    /// <summary>The <c>max_matches</c> of <c>grep</c> when the model gives none. <value>Default 50.</value></summary>
    public int DefaultMaxMatches { get; init; } = 50;

    /// <summary>The highest <c>max_matches</c> a model may ask for. <value>Default 500.</value></summary>
    public int MaxMatchesLimit { get; init; } = 500;

    /// <summary>The time a <c>grep</c> regex may spend on one line. <value>Default 1 second.</value></summary>
    public TimeSpan RegexTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Files larger than this are skipped by <c>grep</c> and refused by <c>read_file</c>. <value>Default 8 MiB.</value></summary>
    public int MaxFileBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>How many of the last output lines <c>run_tests</c> returns. <value>Default 60.</value></summary>
    public int TestOutputTailLines { get; init; } = 60;

    /// <summary>The cap on the output tail of <c>run_tests</c>, in UTF-8 bytes. <value>Default 16 KiB.</value></summary>
    public int TestOutputTailBytes { get; init; } = 16 * 1024;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxListedFiles, 1, nameof(MaxListedFiles));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutputBytes, 1024, nameof(MaxOutputBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(DefaultMaxMatches, 1, nameof(DefaultMaxMatches));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMatchesLimit, DefaultMaxMatches, nameof(MaxMatchesLimit));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RegexTimeout, TimeSpan.Zero, nameof(RegexTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFileBytes, 1, nameof(MaxFileBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(TestOutputTailLines, 1, nameof(TestOutputTailLines));
        ArgumentOutOfRangeException.ThrowIfLessThan(TestOutputTailBytes, 1024, nameof(TestOutputTailBytes));
    }
}

/// <summary>The real tools (<see cref="CodingTools"/>) on a <see cref="Workspace"/>.</summary>
/// <remarks>
/// <para>
/// Every path goes through <see cref="Workspace.TryResolve"/>; every output is capped; every failure is an error
/// <see cref="ToolResult"/>. Only cancellation throws.
/// </para>
/// <para>
/// <c>run_tests</c> runs the test command (an argv, no shell) in the workspace root with <c>PYTHONDONTWRITEBYTECODE=1</c>,
/// and kills the whole process tree at the timeout or on cancellation. Workspace paths in its output are made relative and
/// python's "Ran N tests in 0.012s" loses its duration, so identical runs give identical results.
/// </para>
/// <para>Thread-safe: calls of one turn may run in parallel; edits are serialized.</para>
/// </remarks>
public sealed class WorkspaceToolRunner : IToolRunner
{
    private readonly Workspace _workspace;
    private readonly IReadOnlyList<string> _testCommand;
    private readonly TimeSpan _testTimeout;
    private readonly WorkspaceToolOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _editLock = new(1, 1);

    /// <summary>Creates the tools for a workspace.</summary>
    /// <param name="workspace">The workspace the tools work in; owned by the caller.</param>
    /// <param name="testCommand">The argv <c>run_tests</c> runs in the workspace root.</param>
    /// <param name="testTimeout">How long a test run may take before its process tree is killed.</param>
    /// <param name="options">Limits. <value>Default: <see cref="WorkspaceToolOptions"/> defaults.</value></param>
    /// <param name="timeProvider">The clock of the test timeout. <value>Default: <see cref="TimeProvider.System"/>.</value></param>
    /// <exception cref="ArgumentException">The test command is empty or an option is out of range.</exception>
    public WorkspaceToolRunner(
        Workspace workspace,
        IReadOnlyList<string> testCommand,
        TimeSpan testTimeout,
        WorkspaceToolOptions? options = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(testCommand);
        if (testCommand.Count == 0 || testCommand.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("the test command must be a non-empty list of non-empty strings", nameof(testCommand));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(testTimeout, TimeSpan.Zero);
        _options = options ?? new WorkspaceToolOptions();
        _options.Validate();
        _workspace = workspace;
        _testCommand = [.. testCommand];
        _testTimeout = testTimeout;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates the tools for a workspace, with the test command and timeout of a scenario.</summary>
    /// <param name="workspace">The workspace the tools work in; owned by the caller.</param>
    /// <param name="scenario">The scenario whose <see cref="Scenario.TestCommand"/> and <see cref="Scenario.TestTimeout"/> to use.</param>
    /// <param name="options">Limits. <value>Default: <see cref="WorkspaceToolOptions"/> defaults.</value></param>
    /// <param name="timeProvider">The clock of the test timeout. <value>Default: <see cref="TimeProvider.System"/>.</value></param>
    public WorkspaceToolRunner(Workspace workspace, Scenario scenario, WorkspaceToolOptions? options = null, TimeProvider? timeProvider = null)
        : this(workspace, (scenario ?? throw new ArgumentNullException(nameof(scenario))).TestCommand, scenario.TestTimeout, options, timeProvider)
    {
    }

    /// <inheritdoc />
    public IReadOnlyList<ToolDefinition> Definitions => CodingTools.Definitions;

    /// <inheritdoc />
    public async Task<ToolResult> RunAsync(ToolCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        cancellationToken.ThrowIfCancellationRequested();
        if (!ToolArguments.TryParse(call.ArgumentsJson, out var args, out var error))
        {
            return ToolResult.Error($"{call.Name}: {error}");
        }

        try
        {
            return call.Name switch
            {
                CodingTools.ListFiles => await Task.Run(() => ListFiles(args), cancellationToken),
                CodingTools.Grep => await Task.Run(() => Grep(args, cancellationToken), cancellationToken),
                CodingTools.ReadFile => await ReadFileAsync(args, cancellationToken),
                CodingTools.EditFile => await EditFileAsync(args, cancellationToken),
                CodingTools.RunTests => await RunTestsAsync(cancellationToken),
                _ => ToolResult.Error($"unknown tool '{call.Name}'; the tools are {string.Join(", ", CodingTools.Definitions.Select(d => d.Name))}"),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ToolResult.Error($"{call.Name}: {ex.Message}");
        }
    }

    private ToolResult ListFiles(ToolArguments args)
    {
        if (!args.TryGetString("pattern", required: false, out var pattern, out var error))
        {
            return ToolResult.Error(error);
        }

        pattern ??= "**/*";
        if (!Glob.TryParse(pattern, out var glob, out error))
        {
            return ToolResult.Error(error);
        }

        var matches = _workspace.ListFiles().Where(glob.IsMatch).ToList();
        if (matches.Count == 0)
        {
            return ToolResult.Ok($"no files match '{pattern}'");
        }

        var sb = new StringBuilder();
        foreach (var path in matches.Take(_options.MaxListedFiles))
        {
            sb.Append(path).Append('\n');
        }

        if (matches.Count > _options.MaxListedFiles)
        {
            sb.Append(CultureInfo.InvariantCulture, $"[{matches.Count - _options.MaxListedFiles} more files not shown; narrow the pattern]\n");
        }

        return ToolResult.Ok(OutputLimits.Cap(sb.ToString().TrimEnd('\n'), _options.MaxOutputBytes, "narrow the pattern"));
    }

    private ToolResult Grep(ToolArguments args, CancellationToken cancellationToken)
    {
        if (!args.TryGetString("pattern", required: true, out var pattern, out var error)
            || !args.TryGetString("path_glob", required: false, out var pathGlob, out error)
            || !args.TryGetInt("max_matches", out var maxMatches, out error))
        {
            return ToolResult.Error(error);
        }

        int limit = maxMatches ?? _options.DefaultMaxMatches;
        if (limit < 1)
        {
            return ToolResult.Error("max_matches must be at least 1");
        }

        limit = Math.Min(limit, _options.MaxMatchesLimit);
        Glob? glob = null;
        if (pathGlob is not null && !Glob.TryParse(pathGlob, out glob, out error))
        {
            return ToolResult.Error(error);
        }

        Regex regex;
        try
        {
            regex = new Regex(pattern!, RegexOptions.CultureInvariant, _options.RegexTimeout);
        }
        catch (ArgumentException ex)
        {
            return ToolResult.Error($"invalid regex '{pattern}': {ex.Message}");
        }

        var sb = new StringBuilder();
        int found = 0;
        foreach (var relative in _workspace.ListFiles())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (glob is not null && !glob.IsMatch(relative))
            {
                continue;
            }

            var full = Path.Join(_workspace.Root, relative);
            if (new FileInfo(full).Length > _options.MaxFileBytes)
            {
                continue;
            }

            var text = File.ReadAllText(full);
            if (text.Contains('\0', StringComparison.Ordinal))
            {
                continue;
            }

            int lineNumber = 0;
            foreach (var line in text.AsSpan().EnumerateLines())
            {
                lineNumber++;
                bool isMatch;
                try
                {
                    isMatch = regex.IsMatch(line);
                }
                catch (RegexMatchTimeoutException)
                {
                    return ToolResult.Error(
                        $"regex '{pattern}' timed out after {Seconds(_options.RegexTimeout)}s on {relative}:{lineNumber}; simplify the pattern");
                }

                if (!isMatch)
                {
                    continue;
                }

                if (found == limit)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"[stopped after {limit} matches; narrow the pattern or path_glob, or raise max_matches]\n");
                    return ToolResult.Ok(OutputLimits.Cap(sb.ToString().TrimEnd('\n'), _options.MaxOutputBytes, "narrow the pattern"));
                }

                found++;
                var shown = line.TrimEnd();
                sb.Append(relative).Append(':').Append(lineNumber).Append(": ");
                if (shown.Length > 300)
                {
                    sb.Append(shown[..300]).Append(" [...]");
                }
                else
                {
                    sb.Append(shown);
                }

                sb.Append('\n');
            }
        }

        if (found == 0)
        {
            return ToolResult.Ok(pathGlob is null ? $"no matches for '{pattern}'" : $"no matches for '{pattern}' in files matching '{pathGlob}'");
        }

        return ToolResult.Ok(OutputLimits.Cap(sb.ToString().TrimEnd('\n'), _options.MaxOutputBytes, "narrow the pattern"));
    }

    private async Task<ToolResult> ReadFileAsync(ToolArguments args, CancellationToken cancellationToken)
    {
        if (!args.TryGetString("path", required: true, out var path, out var error)
            || !args.TryGetInt("start_line", out var startLine, out error)
            || !args.TryGetInt("end_line", out var endLine, out error))
        {
            return ToolResult.Error(error);
        }

        if (!TryOpenExisting(path!, out var full, out error))
        {
            return ToolResult.Error(error);
        }

        if (startLine < 1 || endLine < 1)
        {
            return ToolResult.Error("start_line and end_line are 1-based and must be at least 1");
        }

        if (startLine > endLine)
        {
            return ToolResult.Error($"start_line ({startLine}) is after end_line ({endLine})");
        }

        var text = await File.ReadAllTextAsync(full, cancellationToken);
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            return ToolResult.Error($"{path} looks like a binary file");
        }

        if (text.Length == 0)
        {
            return ToolResult.Ok("[empty file]");
        }

        string hint = "read the rest with start_line and end_line";
        if (startLine is null && endLine is null)
        {
            return ToolResult.Ok(CapWithLines(text, 1, hint));
        }

        var lines = SplitKeepingEnds(text);
        int first = startLine ?? 1;
        if (first > lines.Count)
        {
            return ToolResult.Error($"start_line {first} is past the end of {path} ({lines.Count} lines)");
        }

        int last = Math.Min(endLine ?? lines.Count, lines.Count);
        return ToolResult.Ok(CapWithLines(string.Concat(lines.Skip(first - 1).Take(last - first + 1)), first, hint));
    }

    private string CapWithLines(string text, int firstLine, string hint)
    {
        var kept = OutputLimits.KeepStart(text, _options.MaxOutputBytes, out bool truncated);
        if (!truncated)
        {
            return text;
        }

        int keptLines = kept.Count(c => c == '\n');
        int totalLines = text.Count(c => c == '\n') + (text.EndsWith('\n') ? 0 : 1);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{kept}\n[output truncated: showing {Encoding.UTF8.GetByteCount(kept):N0} of {Encoding.UTF8.GetByteCount(text):N0} bytes, up to line {firstLine + keptLines - 1} of {firstLine + totalLines - 1}; {hint}]");
    }

    private async Task<ToolResult> EditFileAsync(ToolArguments args, CancellationToken cancellationToken)
    {
        if (!args.TryGetString("path", required: true, out var path, out var error)
            || !args.TryGetString("old", required: true, out var oldText, out error)
            || !args.TryGetString("new", required: true, out var newText, out error))
        {
            return ToolResult.Error(error);
        }

        if (oldText!.Length == 0)
        {
            return ToolResult.Error("'old' must not be empty");
        }

        if (!TryOpenExisting(path!, out var full, out error))
        {
            return ToolResult.Error(error);
        }

        await _editLock.WaitAsync(cancellationToken);
        try
        {
            var bytes = await File.ReadAllBytesAsync(full, cancellationToken);
            bool bom = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble);
            var text = Encoding.UTF8.GetString(bom ? bytes.AsSpan(3) : bytes);
            int count = CountOccurrences(text, oldText);
            if (count == 0)
            {
                return ToolResult.Error(
                    $"'old' was not found in {path} (0 occurrences); read the file and copy the text exactly, including indentation and line breaks");
            }

            if (count > 1)
            {
                return ToolResult.Error(
                    $"'old' occurs {count} times in {path}; it must occur exactly once, so include more surrounding lines");
            }

            int index = text.IndexOf(oldText, StringComparison.Ordinal);
            var updated = string.Concat(text.AsSpan(0, index), newText, text.AsSpan(index + oldText.Length));
            var output = Encoding.UTF8.GetBytes(updated);
            await File.WriteAllBytesAsync(full, bom ? [.. Encoding.UTF8.Preamble, .. output] : output, CancellationToken.None);
            int line = text.AsSpan(0, index).Count('\n') + 1;
            return ToolResult.Ok(string.Create(
                CultureInfo.InvariantCulture,
                $"edited {path}: replaced {Lines(oldText)} at line {line} with {Lines(newText!)}"));
        }
        finally
        {
            _editLock.Release();
        }

        static string Lines(string s)
        {
            int n = s.Length == 0 ? 0 : s.AsSpan().TrimEnd('\n').Count('\n') + 1;
            return n == 1 ? "1 line" : $"{n} lines";
        }
    }

    private async Task<ToolResult> RunTestsAsync(CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(_testCommand[0])
        {
            WorkingDirectory = _workspace.Root,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in _testCommand.Skip(1))
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        startInfo.Environment["PYTHONUNBUFFERED"] = "1";
        startInfo.Environment["NO_COLOR"] = "1";

        var collector = new TestOutputCollector(_options.TestOutputTailLines, _workspace.Root);
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
            return ToolResult.Error($"could not start the test command '{_testCommand[0]}': {ex.Message}");
        }

        process.StandardInput.Close();
        var readers = Task.WhenAll(PumpAsync(process.StandardOutput, collector), PumpAsync(process.StandardError, collector));

        using var timeout = new CancellationTokenSource(_testTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            await KillTreeAsync(process);
            cancellationToken.ThrowIfCancellationRequested();
            var tail = collector.Tail(_options.TestOutputTailBytes);
            return ToolResult.Error(
                $"tests timed out after {Seconds(_testTimeout)}s" + (tail.Length > 0 ? "\nthe test process tree was killed; last output:\n" + tail.TrimEnd('\n') : ""));
        }

        try
        {
            await readers.WaitAsync(TimeSpan.FromSeconds(5), _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // A grandchild that outlives the test command can keep the pipes open; do not wait for it forever.
        }
        var (passed, failed) = collector.Counts();
        var summary = new TestRunSummary(passed, failed, process.ExitCode);
        var output = summary + "\n" + collector.Tail(_options.TestOutputTailBytes);
        return ToolResult.Ok(OutputLimits.Cap(output.TrimEnd('\n'), _options.MaxOutputBytes, "the output was cut"));
    }

    private static async Task PumpAsync(StreamReader reader, TestOutputCollector collector)
    {
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                collector.Add(line);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The process was killed or disposed; what was read so far is all there is.
        }
    }

    private async Task KillTreeAsync(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already exited.
        }

        try
        {
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), _time);
        }
        catch (TimeoutException)
        {
            // The kill was sent; a zombie that the OS has not reaped yet must not block the agent.
        }
    }

    private bool TryOpenExisting(string path, out string full, out string error)
    {
        full = "";
        if (!_workspace.TryResolve(path, out var resolved, out var resolveError))
        {
            error = resolveError;
            return false;
        }

        if (Directory.Exists(resolved))
        {
            error = $"'{path}' is a directory; use list_files to see its files";
            return false;
        }

        if (!File.Exists(resolved))
        {
            error = $"file not found: {path}";
            return false;
        }

        if (new FileInfo(resolved).Length > _options.MaxFileBytes)
        {
            error = $"{path} is too large ({new FileInfo(resolved).Length:N0} bytes)";
            return false;
        }

        full = resolved;
        error = "";
        return true;
    }

    private static List<string> SplitKeepingEnds(string text)
    {
        var lines = new List<string>();
        int start = 0;
        while (start < text.Length)
        {
            int newline = text.IndexOf('\n', start);
            int end = newline < 0 ? text.Length : newline + 1;
            lines.Add(text[start..end]);
            start = end;
        }

        return lines;
    }

    private static int CountOccurrences(string text, string value)
    {
        // Overlapping matches count: "aa" in "aaa" is ambiguous, so it must be reported as two.
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
