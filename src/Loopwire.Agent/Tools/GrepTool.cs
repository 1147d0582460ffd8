using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Loopwire.Agent.Workspaces;

namespace Loopwire.Agent.Tools;

/// <summary><c>grep {pattern, path_glob?, max_matches?}</c>: regex matches in the workspace's text files, line by line.</summary>
/// <remarks>Files over <see cref="WorkspaceToolOptions.MaxFileBytes"/> and files with NUL characters are skipped.</remarks>
internal sealed class GrepTool(WorkspaceToolOptions options) : ITool
{
    public string Name => CodingTools.Grep;

    public Task<ToolResult> RunAsync(ToolArguments arguments, Workspace workspace, CancellationToken cancellationToken) =>
        Task.Run(() => Search(arguments, workspace, cancellationToken), cancellationToken);

    private ToolResult Search(ToolArguments args, Workspace workspace, CancellationToken cancellationToken)
    {
        if (!args.TryGetString("pattern", required: true, out var pattern, out var error)
            || !args.TryGetString("path_glob", required: false, out var pathGlob, out error)
            || !args.TryGetInt("max_matches", out var maxMatches, out error))
        {
            return ToolResult.Error(error);
        }

        int limit = maxMatches ?? options.DefaultMaxMatches;
        if (limit < 1)
        {
            return ToolResult.Error("max_matches must be at least 1");
        }

        limit = Math.Min(limit, options.MaxMatchesLimit);
        Glob? glob = null;
        if (pathGlob is not null && !Glob.TryParse(pathGlob, out glob, out error))
        {
            return ToolResult.Error(error);
        }

        Regex regex;
        try
        {
            regex = new Regex(pattern!, RegexOptions.CultureInvariant, options.RegexTimeout);
        }
        catch (ArgumentException ex)
        {
            return ToolResult.Error($"invalid regex '{pattern}': {ex.Message}");
        }

        var sb = new StringBuilder();
        int found = 0;
        foreach (var relative in workspace.ListFiles())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (glob is not null && !glob.IsMatch(relative))
            {
                continue;
            }

            var full = Path.Join(workspace.Root, relative);
            if (new FileInfo(full).Length > options.MaxFileBytes)
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
                        $"regex '{pattern}' timed out after {ToolText.Seconds(options.RegexTimeout)}s on {relative}:{lineNumber}; simplify the pattern");
                }

                if (!isMatch)
                {
                    continue;
                }

                if (found == limit)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"[stopped after {limit} matches; narrow the pattern or path_glob, or raise max_matches]\n");
                    return ToolResult.Ok(OutputLimits.Cap(sb.ToString().TrimEnd('\n'), options.MaxOutputBytes, "narrow the pattern"));
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

        return ToolResult.Ok(OutputLimits.Cap(sb.ToString().TrimEnd('\n'), options.MaxOutputBytes, "narrow the pattern"));
    }
}
