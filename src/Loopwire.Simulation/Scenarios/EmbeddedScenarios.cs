using Loopwire.Scenarios;

namespace Loopwire.Simulation.Scenarios;

/// <summary>The samples' scenario files, embedded in this assembly at build time (see the project file).</summary>
/// <remarks>Loaded once, on first use; thread-safe.</remarks>
public static class EmbeddedScenarios
{
    private const string ResourcePrefix = "scenario:";

    private static readonly Lazy<IReadOnlyList<Scenario>> Loaded = new(Load);

    /// <summary>The samples' scenarios, sorted by resource name.</summary>
    /// <exception cref="InvalidDataException">An embedded scenario file breaks the schema (a build defect).</exception>
    public static IReadOnlyList<Scenario> All => Loaded.Value;

    private static List<Scenario> Load()
    {
        var asm = typeof(EmbeddedScenarios).Assembly;
        var list = new List<Scenario>();
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = asm.GetManifestResourceStream(name)!;
            using var ms = new MemoryStream();
            stream.CopyTo(ms);
            list.Add(Scenario.Parse(ms.ToArray()));
        }

        return list;
    }
}
