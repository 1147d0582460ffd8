using System.Diagnostics.CodeAnalysis;
using Loopwire.Agent.Workspaces;

namespace Loopwire.Agent.Scenarios;

/// <summary>Finds the <c>samples</c> folder and the samples in it.</summary>
/// <remarks>
/// The folder is looked for first next to the running binaries (the Agent project copies <c>samples/**</c> to its output),
/// then by walking up from the binaries and from the current directory to the repository root (the folder holding
/// <c>Loopwire.slnx</c>). A sample is a sub-folder with a <c>.loopwire/scenario.json</c> file. Thread-safe.
/// </remarks>
public static class SampleLocator
{
    /// <summary>The name of the samples folder.</summary>
    public const string SamplesFolderName = "samples";

    private const string SolutionFileName = "Loopwire.slnx";

    /// <summary>Looks for the samples folder.</summary>
    /// <param name="directory">Its full path, when found.</param>
    /// <returns>Whether it was found.</returns>
    public static bool TryFindSamplesDirectory([NotNullWhen(true)] out string? directory)
    {
        var nextToBinaries = Path.Combine(AppContext.BaseDirectory, SamplesFolderName);
        if (ContainsSamples(nextToBinaries))
        {
            directory = Path.GetFullPath(nextToBinaries);
            return true;
        }

        return TryFindRepositorySamplesDirectory(out directory);
    }

    /// <summary>Returns the samples folder.</summary>
    /// <returns>Its full path.</returns>
    /// <exception cref="DirectoryNotFoundException">No samples folder was found.</exception>
    public static string FindSamplesDirectory() =>
        TryFindSamplesDirectory(out var directory)
            ? directory
            : throw new DirectoryNotFoundException(
                $"no '{SamplesFolderName}' folder next to {AppContext.BaseDirectory} or in a parent folder holding {SolutionFileName}");

    /// <summary>Lists the samples, sorted by name.</summary>
    /// <returns>The samples.</returns>
    /// <exception cref="DirectoryNotFoundException">No samples folder was found.</exception>
    public static IReadOnlyList<Sample> GetSamples() => ListSamples(FindSamplesDirectory());

    /// <summary>Returns the sample with this name.</summary>
    /// <param name="name">The sample's folder name, e.g. <c>fix-small</c>.</param>
    /// <returns>The sample.</returns>
    /// <exception cref="DirectoryNotFoundException">No samples folder was found, or it has no such sample.</exception>
    public static Sample GetSample(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var samples = GetSamples();
        return samples.FirstOrDefault(s => s.Name == name)
            ?? throw new DirectoryNotFoundException(
                $"no sample named '{name}'; the samples are {string.Join(", ", samples.Select(s => s.Name))}");
    }

    /// <summary>The samples folder of the source tree (not the copy next to the binaries), for tools that rewrite it.</summary>
    internal static bool TryFindRepositorySamplesDirectory([NotNullWhen(true)] out string? directory)
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFileName)))
                {
                    var candidate = Path.Combine(dir.FullName, SamplesFolderName);
                    if (ContainsSamples(candidate))
                    {
                        directory = candidate;
                        return true;
                    }

                    break;
                }
            }
        }

        directory = null;
        return false;
    }

    internal static IReadOnlyList<Sample> ListSamples(string samplesDirectory) =>
        [.. new DirectoryInfo(samplesDirectory).EnumerateDirectories()
            .Where(d => File.Exists(Path.Combine(d.FullName, Workspace.HiddenFolderName, "scenario.json")))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .Select(d => new Sample(d.Name, d.FullName))];

    private static bool ContainsSamples(string directory) => Directory.Exists(directory) && ListSamples(directory).Count > 0;
}
