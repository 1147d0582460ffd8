using System.Globalization;
using System.Text;
using Loopwire.Agent.Workspaces;

namespace Loopwire.Agent.Tools;

/// <summary><c>read_file {path, start_line?, end_line?}</c>: a text file or a range of its lines, capped with a hint.</summary>
internal sealed class ReadFileTool(WorkspaceToolOptions options) : ITool
{
    public string Name => CodingTools.ReadFile;

    public async Task<ToolResult> RunAsync(ToolArguments arguments, Workspace workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (!arguments.TryGetString("path", required: true, out var path, out var error)
            || !arguments.TryGetInt("start_line", out var startLine, out error)
            || !arguments.TryGetInt("end_line", out var endLine, out error))
        {
            return ToolResult.Error(error);
        }

        if (!WorkspaceFiles.TryOpenExisting(workspace, path!, options.MaxFileBytes, out var full, out error))
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

        var text = await File.ReadAllTextAsync(full, cancellationToken).ConfigureAwait(false);
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
        var kept = OutputLimits.KeepStart(text, options.MaxOutputBytes, out bool truncated);
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
}
