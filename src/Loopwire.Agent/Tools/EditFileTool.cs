using System.Globalization;
using System.Text;
using Loopwire.Agent.Workspaces;

namespace Loopwire.Agent.Tools;

/// <summary><c>edit_file {path, old, new}</c>: replaces text that occurs exactly once, keeping a UTF-8 BOM.</summary>
/// <remarks>Edits are serialized, so parallel edits of one turn never lose each other's changes.</remarks>
internal sealed class EditFileTool(WorkspaceToolOptions options) : ITool
{
    private readonly SemaphoreSlim _editLock = new(1, 1);

    public string Name => CodingTools.EditFile;

    public async Task<ToolResult> RunAsync(ToolArguments arguments, Workspace workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (!arguments.TryGetString("path", required: true, out var path, out var error)
            || !arguments.TryGetString("old", required: true, out var oldText, out error)
            || !arguments.TryGetString("new", required: true, out var newText, out error))
        {
            return ToolResult.Error(error);
        }

        if (oldText!.Length == 0)
        {
            return ToolResult.Error("'old' must not be empty");
        }

        if (!WorkspaceFiles.TryOpenExisting(workspace, path!, options.MaxFileBytes, out var full, out error))
        {
            return ToolResult.Error(error);
        }

        await _editLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var bytes = await File.ReadAllBytesAsync(full, cancellationToken).ConfigureAwait(false);
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
            await File.WriteAllBytesAsync(full, bom ? [.. Encoding.UTF8.Preamble, .. output] : output, CancellationToken.None).ConfigureAwait(false);
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
}
