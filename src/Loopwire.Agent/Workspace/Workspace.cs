using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Loopwire.Agent.Workspaces;

/// <summary>
/// A private copy of a sample repository in a temporary directory, the only place the agent's tools may touch.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Create"/> copies everything except the top-level <c>.loopwire/</c> folder (which holds the scenario the
/// agent must not see) and Python byte-code caches. <see cref="TryResolve"/> maps a model-supplied relative path to a full
/// path and refuses anything that leaves the root: <c>..</c> segments, absolute paths, and symbolic links (in any
/// component) that resolve outside it. <see cref="Dispose"/> deletes the copy.
/// </para>
/// <para>Path resolution and enumeration are thread-safe; the workspace does not serialize writes to files, except that
/// <c>edit_file</c> takes <see cref="EditLock"/> so parallel edits never lose each other's changes.</para>
/// </remarks>
public sealed class Workspace : IDisposable
{
    /// <summary>The top-level folder of a sample that is not copied into the workspace.</summary>
    public const string HiddenFolderName = ".loopwire";

    private const int MaxSymbolicLinkHops = 40;

    private readonly Dictionary<string, string> _originalHashes;
    private int _disposed;

    private Workspace(string root, string sourceDirectory, Dictionary<string, string> originalHashes)
    {
        Root = root;
        SourceDirectory = sourceDirectory;
        _originalHashes = originalHashes;
    }

    /// <summary>The full, symlink-free path of the workspace root (no trailing separator).</summary>
    public string Root { get; }

    /// <summary>The full path of the repository the workspace was copied from.</summary>
    public string SourceDirectory { get; }

    /// <summary>Serializes the edits of this workspace (read, replace, write back).</summary>
    internal SemaphoreSlim EditLock { get; } = new(1, 1);

    /// <summary>Copies <paramref name="sourceDirectory"/> into a new temporary directory.</summary>
    /// <param name="sourceDirectory">The sample repository to copy.</param>
    /// <param name="parentDirectory">Where to create the copy. <value>Default: the system temporary directory.</value></param>
    /// <returns>The workspace; dispose it to delete the copy.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="sourceDirectory"/> does not exist.</exception>
    /// <remarks>Symbolic links in the source are recreated as links with the same target.</remarks>
    public static Workspace Create(string sourceDirectory, string? parentDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceDirectory);
        var source = Path.GetFullPath(sourceDirectory);
        if (!Directory.Exists(source))
        {
            throw new DirectoryNotFoundException($"sample directory not found: {source}");
        }

        string created;
        if (parentDirectory is null)
        {
            created = Directory.CreateTempSubdirectory("loopwire-ws-").FullName;
        }
        else
        {
            created = Path.Combine(Path.GetFullPath(parentDirectory), "loopwire-ws-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(created);
        }

        var root = RealPath(created) ?? created;
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            CopyDirectory(source, root, "", hashes);
        }
        catch
        {
            TryDelete(root);
            throw;
        }

        return new Workspace(root, source, hashes);
    }

    /// <summary>Resolves a path relative to the workspace root.</summary>
    /// <param name="path">A relative path with <c>/</c> (or <c>\</c>) separators; <c>""</c> or <c>.</c> is the root.</param>
    /// <param name="fullPath">The resolved full path, with symbolic links resolved, when the path is allowed.</param>
    /// <param name="error">Why the path is refused, written for the model.</param>
    /// <returns>Whether the path stays inside the workspace. The target need not exist.</returns>
    public bool TryResolve(string path, [NotNullWhen(true)] out string? fullPath, [NotNullWhen(false)] out string? error)
    {
        fullPath = null;
        if (path is null)
        {
            error = "path is missing";
            return false;
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            error = "path contains a NUL character";
            return false;
        }

        var normalized = path.Replace('\\', '/');
        if (Path.IsPathRooted(normalized) || normalized.StartsWith('/'))
        {
            error = $"absolute paths are not allowed: '{path}'; use a path relative to the workspace root";
            return false;
        }

        var segments = normalized.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Contains(".."))
        {
            error = $"path '{path}' leaves the workspace: '..' segments are not allowed";
            return false;
        }

        var lexical = Root;
        foreach (var segment in segments)
        {
            if (segment != ".")
            {
                lexical = Path.Join(lexical, segment);
            }
        }

        string? real;
        try
        {
            real = RealPath(lexical);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"cannot resolve '{path}': {ex.Message}";
            return false;
        }

        if (real is null)
        {
            error = $"cannot resolve '{path}': too many levels of symbolic links";
            return false;
        }

        if (!IsInside(real))
        {
            error = $"path '{path}' resolves outside the workspace through a symbolic link";
            return false;
        }

        fullPath = real;
        error = null;
        return true;
    }

    /// <summary>Returns the workspace-relative form of a full path inside the workspace, with <c>/</c> separators.</summary>
    /// <param name="fullPath">A full path under <see cref="Root"/>.</param>
    /// <returns>The relative path; <c>""</c> for the root.</returns>
    public string GetRelativePath(string fullPath)
    {
        var relative = Path.GetRelativePath(Root, fullPath).Replace('\\', '/');
        return relative == "." ? "" : relative;
    }

    /// <summary>Lists the regular files of the workspace, as sorted relative paths with <c>/</c> separators.</summary>
    /// <returns>The files, in ordinal order. Symbolic links and <c>__pycache__</c> folders are skipped.</returns>
    public IReadOnlyList<string> ListFiles()
    {
        var files = new List<string>();
        Walk(Root, "", files);
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>A stable summary of every file: one <c>path sha256</c> line per file, sorted by path.</summary>
    /// <returns>The summary text, each line ending with <c>\n</c>.</returns>
    public string Snapshot()
    {
        var sb = new StringBuilder();
        foreach (var relative in ListFiles())
        {
            sb.Append(relative).Append(' ').Append(HashFile(Path.Join(Root, relative))).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>
    /// A stable summary of the changes against the original repository: one line per changed file, sorted by path,
    /// <c>M path sha256</c> (modified), <c>A path sha256</c> (added) or <c>D path</c> (deleted).
    /// </summary>
    /// <returns>The summary text, each line ending with <c>\n</c>; empty when nothing changed.</returns>
    /// <remarks>Use it to compare the final workspaces of runs over different transports.</remarks>
    public string Diff()
    {
        var current = ListFiles();
        var lines = new List<(string Path, string Line)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var relative in current)
        {
            seen.Add(relative);
            var hash = HashFile(Path.Join(Root, relative));
            if (!_originalHashes.TryGetValue(relative, out var original))
            {
                lines.Add((relative, $"A {relative} {hash}"));
            }
            else if (original != hash)
            {
                lines.Add((relative, $"M {relative} {hash}"));
            }
        }

        foreach (var relative in _originalHashes.Keys)
        {
            if (!seen.Contains(relative))
            {
                lines.Add((relative, $"D {relative}"));
            }
        }

        lines.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        var sb = new StringBuilder();
        foreach (var (_, line) in lines)
        {
            sb.Append(line).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Deletes the copy. Safe to call more than once; failures to delete are ignored.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            TryDelete(Root);
            EditLock.Dispose();
        }
    }

    internal static bool IsSkippedDirectory(string name) => name is "__pycache__" or ".git";

    private bool IsInside(string real) =>
        real == Root || (real.StartsWith(Root, StringComparison.Ordinal) && real.Length > Root.Length && real[Root.Length] == Path.DirectorySeparatorChar);

    private static void Walk(string directory, string relative, List<string> files)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null)
            {
                continue;
            }

            var child = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
            if (entry is DirectoryInfo)
            {
                if (!IsSkippedDirectory(entry.Name))
                {
                    Walk(entry.FullName, child, files);
                }
            }
            else
            {
                files.Add(child);
            }
        }
    }

    private static void CopyDirectory(string source, string destination, string relative, Dictionary<string, string> hashes)
    {
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            if (relative.Length == 0 && entry.Name == HiddenFolderName)
            {
                continue;
            }

            var target = Path.Join(destination, entry.Name);
            var child = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
            if (entry.LinkTarget is { } link)
            {
                if (entry is DirectoryInfo)
                {
                    Directory.CreateSymbolicLink(target, link);
                }
                else
                {
                    File.CreateSymbolicLink(target, link);
                }
            }
            else if (entry is DirectoryInfo)
            {
                if (!IsSkippedDirectory(entry.Name))
                {
                    Directory.CreateDirectory(target);
                    CopyDirectory(entry.FullName, target, child, hashes);
                }
            }
            else if (!entry.Name.EndsWith(".pyc", StringComparison.Ordinal))
            {
                var bytes = File.ReadAllBytes(entry.FullName);
                File.WriteAllBytes(target, bytes);
                hashes[child] = Convert.ToHexStringLower(SHA256.HashData(bytes));
            }
        }
    }

    private static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Resolves every symbolic link in <paramref name="fullPath"/>, like POSIX <c>realpath</c>.</summary>
    /// <returns>The resolved path (missing trailing components are kept as they are), or null on a link loop.</returns>
    internal static string? RealPath(string fullPath)
    {
        int hops = 0;
        return Resolve(Path.GetFullPath(fullPath), ref hops);

        static string? Resolve(string path, ref int hops)
        {
            var root = Path.GetPathRoot(path) ?? "/";
            var current = root;
            var segments = path[root.Length..].Split(
                [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar],
                StringSplitOptions.RemoveEmptyEntries);
            foreach (var segment in segments)
            {
                if (segment == ".")
                {
                    continue;
                }

                if (segment == "..")
                {
                    current = Path.GetDirectoryName(current) ?? current;
                    continue;
                }

                var next = Path.Join(current, segment);
                var target = new FileInfo(next).LinkTarget;
                if (target is null)
                {
                    current = next;
                    continue;
                }

                if (++hops > MaxSymbolicLinkHops)
                {
                    return null;
                }

                // Resolve the target from the already-resolved parent: '..' in a target is relative to the link's real
                // directory, which is why the target is walked segment by segment rather than normalized lexically.
                var resolved = Resolve(Path.IsPathRooted(target) ? target : Path.Join(current, target), ref hops);
                if (resolved is null)
                {
                    return null;
                }

                current = resolved;
            }

            return current;
        }
    }

    private static void TryDelete(string directory)
    {
        for (int attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }

                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A test process killed a moment ago may still hold a file; one retry is enough in practice.
            }
        }
    }
}
