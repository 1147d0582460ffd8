using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Loopwire.Engine.Simulated.Scenarios;

/// <summary>A sample's scenario file (<c>samples/NAME/.loopwire/scenario.json</c>): the task and the oracle's script.</summary>
public sealed record ScenarioScript
{
    /// <summary>The scenario name (fix-small, fix-multi, long-haul).</summary>
    public required string Name { get; init; }

    /// <summary>The task the agent is given.</summary>
    public required string Task { get; init; }

    /// <summary>The repository's test command (argv).</summary>
    public IReadOnlyList<string> TestCommand { get; init; } = [];

    /// <summary>Test timeout.</summary>
    public int TestTimeoutSeconds { get; init; } = 60;

    /// <summary>One entry per model turn.</summary>
    public required IReadOnlyList<ScenarioStep> Steps { get; init; }
}

/// <summary>One model turn of a script: parallel tool calls, or the final answer.</summary>
public sealed record ScenarioStep
{
    /// <summary>A one- or two-sentence reasoning summary.</summary>
    public string? Reasoning { get; init; }

    /// <summary>The tool calls of this turn (several = parallel calls).</summary>
    public IReadOnlyList<ScenarioCall>? Calls { get; init; }

    /// <summary>For a run_tests step: whether the tests should <c>pass</c> or <c>fail</c> at this point.</summary>
    public string? ExpectTests { get; init; }

    /// <summary>The final answer (ends the task).</summary>
    public string? Final { get; init; }
}

/// <summary>A scripted tool call.</summary>
public sealed record ScenarioCall
{
    /// <summary>The tool name.</summary>
    public required string Name { get; init; }

    /// <summary>The arguments object.</summary>
    public JsonElement Arguments { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(ScenarioScript))]
internal sealed partial class ScenarioJsonContext : JsonSerializerContext;

/// <summary>Loads scenario scripts.</summary>
public static class ScenarioScripts
{
    private static readonly Lazy<IReadOnlyList<ScenarioScript>> EmbeddedScripts = new(LoadEmbedded);

    /// <summary>The scripts of the samples, embedded in this assembly at build time.</summary>
    public static IReadOnlyList<ScenarioScript> Embedded => EmbeddedScripts.Value;

    /// <summary>Parses a scenario file.</summary>
    public static ScenarioScript Parse(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize(utf8Json, ScenarioJsonContext.Default.ScenarioScript)
        ?? throw new JsonException("The scenario file is empty.");

    private static List<ScenarioScript> LoadEmbedded()
    {
        var asm = typeof(ScenarioScripts).Assembly;
        var list = new List<ScenarioScript>();
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.StartsWith("scenario:", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = asm.GetManifestResourceStream(name)!;
            using var ms = new MemoryStream();
            stream.CopyTo(ms);
            list.Add(Parse(ms.ToArray()));
        }

        return list;
    }
}
