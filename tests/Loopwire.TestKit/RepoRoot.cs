namespace Loopwire.TestKit;

/// <summary>The repository root: the folder holding <c>Loopwire.slnx</c>, found upwards from the test binaries.</summary>
public static class RepoRoot
{
    /// <summary>Finds the root.</summary>
    /// <exception cref="InvalidOperationException">No <c>Loopwire.slnx</c> above the test binaries.</exception>
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Loopwire.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Loopwire.slnx above {AppContext.BaseDirectory}.");
    }
}
