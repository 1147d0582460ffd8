using Loopwire.Agent.Workspaces;

namespace Loopwire.Agent.Tools;

/// <summary>Checks shared by the tools that open one existing file of the workspace.</summary>
internal static class WorkspaceFiles
{
    /// <summary>Resolves <paramref name="path"/> to an existing, not too large file inside the workspace.</summary>
    public static bool TryOpenExisting(Workspace workspace, string path, int maxFileBytes, out string full, out string error)
    {
        full = "";
        if (!workspace.TryResolve(path, out var resolved, out var resolveError))
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

        if (new FileInfo(resolved).Length > maxFileBytes)
        {
            error = $"{path} is too large ({new FileInfo(resolved).Length:N0} bytes)";
            return false;
        }

        full = resolved;
        error = "";
        return true;
    }
}
