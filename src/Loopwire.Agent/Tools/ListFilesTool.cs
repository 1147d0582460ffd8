using System.Globalization;
using System.Text;
using Loopwire.Agent.Workspaces;

namespace Loopwire.Agent.Tools;

/// <summary><c>list_files {pattern}</c>: the workspace's files matching a glob, sorted, capped.</summary>
internal sealed class ListFilesTool(WorkspaceToolOptions options) : ITool
{
    public string Name => CodingTools.ListFiles;

    public Task<ToolResult> RunAsync(ToolArguments arguments, Workspace workspace, CancellationToken cancellationToken) =>
        Task.Run(() => List(arguments, workspace), cancellationToken);

    private ToolResult List(ToolArguments args, Workspace workspace)
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

        var matches = workspace.ListFiles().Where(glob.IsMatch).ToList();
        if (matches.Count == 0)
        {
            return ToolResult.Ok($"no files match '{pattern}'");
        }

        var sb = new StringBuilder();
        foreach (var path in matches.Take(options.MaxListedFiles))
        {
            sb.Append(path).Append('\n');
        }

        if (matches.Count > options.MaxListedFiles)
        {
            sb.Append(CultureInfo.InvariantCulture, $"[{matches.Count - options.MaxListedFiles} more files not shown; narrow the pattern]\n");
        }

        return ToolResult.Ok(OutputLimits.Cap(sb.ToString().TrimEnd('\n'), options.MaxOutputBytes, "narrow the pattern"));
    }
}
