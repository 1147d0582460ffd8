using System.Text.Json;
using System.Text.Json.Serialization;

namespace Loopwire.Scenarios;

/// <summary>
/// A sample's task and the script the simulated model plays as an oracle: one <see cref="ScenarioStep"/> per model turn.
/// Stored as <c>.loopwire/scenario.json</c> next to the sample (see <c>samples/README.md</c>).
/// </summary>
/// <remarks>
/// This is the one schema of the scenario file: the simulated model's oracle and the agent's tooling both read it.
/// Instances are immutable once loaded and safe to share between threads.
/// </remarks>
public sealed record Scenario
{
    /// <summary>The test timeout when the scenario gives none.</summary>
    public const int DefaultTestTimeoutSeconds = 60;

    /// <summary>The name of the tool whose result <see cref="ScenarioStep.ExpectTests"/> checks.</summary>
    public const string RunTestsToolName = "run_tests";

    /// <summary>The sample's name, which is also its folder name.</summary>
    public required string Name { get; init; }

    /// <summary>The user message that starts the agent.</summary>
    public required string Task { get; init; }

    /// <summary>The argv that <c>run_tests</c> runs in the workspace root (no shell).</summary>
    public required IReadOnlyList<string> TestCommand { get; init; }

    /// <summary>How long a test run may take before its process tree is killed, in seconds. <value>Default 60.</value></summary>
    /// <remarks>Nullable so that a missing value stays missing: source-generated deserialization does not keep initializers of init-only properties.</remarks>
    public int? TestTimeoutSeconds { get; init; }

    /// <summary>The model turns, in order; the last one carries <see cref="ScenarioStep.Final"/>.</summary>
    public required IReadOnlyList<ScenarioStep> Steps { get; init; }

    /// <summary><see cref="TestTimeoutSeconds"/> as a <see cref="TimeSpan"/>.</summary>
    [JsonIgnore]
    public TimeSpan TestTimeout => TimeSpan.FromSeconds(TestTimeoutSeconds ?? DefaultTestTimeoutSeconds);

    /// <summary>The final answer of the script (the last step's <see cref="ScenarioStep.Final"/>).</summary>
    [JsonIgnore]
    public string FinalAnswer => Steps[^1].Final!;

    /// <summary>Parses and validates a scenario.</summary>
    /// <param name="utf8Json">The JSON text, UTF-8.</param>
    /// <returns>The validated scenario.</returns>
    /// <exception cref="InvalidDataException">The JSON is malformed or breaks the schema rules.</exception>
    public static Scenario Parse(ReadOnlySpan<byte> utf8Json)
    {
        Scenario? scenario;
        try
        {
            scenario = JsonSerializer.Deserialize(utf8Json, ScenarioJsonContext.Default.Scenario);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException("invalid scenario: " + ex.Message, ex);
        }

        if (scenario is null)
        {
            throw new InvalidDataException("invalid scenario: the document is null");
        }

        ScenarioValidator.Validate(scenario);
        return scenario;
    }

    /// <summary>Loads and validates a scenario file.</summary>
    /// <param name="path">The path of the <c>scenario.json</c> file.</param>
    /// <returns>The validated scenario.</returns>
    /// <exception cref="InvalidDataException">The file is malformed or breaks the schema rules.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static Scenario Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return Parse(File.ReadAllBytes(path));
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }
}
