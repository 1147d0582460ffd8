using System.Text.Json;
using System.Text.Json.Serialization;
using Loopwire.Agent.Tools;

namespace Loopwire.Agent.Scenarios;

/// <summary>
/// A sample's task and the script the simulated model plays as an oracle: one <see cref="ScenarioStep"/> per model turn.
/// Stored as <c>.loopwire/scenario.json</c> next to the sample (see <c>samples/README.md</c>).
/// </summary>
/// <remarks>Instances are immutable once loaded and safe to share between threads.</remarks>
public sealed record Scenario
{
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

    /// <summary>The test timeout when the scenario gives none.</summary>
    public const int DefaultTestTimeoutSeconds = 60;

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

        scenario.Validate();
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

    private void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(Name), "name is empty");
        Require(!string.IsNullOrWhiteSpace(Task), "task is empty");
        Require(TestCommand is { Count: > 0 } && TestCommand.All(a => !string.IsNullOrEmpty(a)), "test_command must be a non-empty list of non-empty strings");
        Require(TestTimeoutSeconds is null or > 0, "test_timeout_seconds must be positive");
        Require(Steps is { Count: > 0 }, "steps is empty");
        for (int i = 0; i < Steps.Count; i++)
        {
            var step = Steps[i];
            string where = $"step {i + 1}";
            Require(step is not null, $"{where} is null");
            bool last = i == Steps.Count - 1;
            if (last)
            {
                Require(!string.IsNullOrWhiteSpace(step!.Final), $"{where}: the last step must have a final answer");
                Require(step.Calls is null or { Count: 0 }, $"{where}: the last step must not have calls");
                Require(step.ExpectTests is null, $"{where}: expect_tests needs a run_tests call");
                continue;
            }

            Require(step!.Final is null, $"{where}: only the last step may have a final answer");
            Require(step.Calls is { Count: > 0 }, $"{where}: a step before the last needs at least one call");
            foreach (var call in step.Calls!)
            {
                Require(call is not null && !string.IsNullOrWhiteSpace(call.Name), $"{where}: a call has no name");
                Require(call!.Arguments.ValueKind == JsonValueKind.Object, $"{where}: the arguments of {call.Name} must be a JSON object");
            }

            Require(
                step.ExpectTests is null || step.Calls.Any(c => c.Name == CodingTools.RunTests),
                $"{where}: expect_tests is only allowed on a step that calls {CodingTools.RunTests}");
        }

        void Require(bool condition, string message)
        {
            if (!condition)
            {
                throw new InvalidDataException($"invalid scenario '{Name}': {message}");
            }
        }
    }
}

/// <summary>One model turn of a <see cref="Scenario"/>: reasoning and parallel tool calls, or the final answer.</summary>
public sealed record ScenarioStep
{
    /// <summary>What the model says before its calls (one or two sentences).</summary>
    public string? Reasoning { get; init; }

    /// <summary>The tool calls of this turn; several calls are parallel tool calls. Null on the final step.</summary>
    public IReadOnlyList<ScenarioCall>? Calls { get; init; }

    /// <summary>What the <c>run_tests</c> call of this step must report; only on steps that call it.</summary>
    public TestExpectation? ExpectTests { get; init; }

    /// <summary>The final answer; only on the last step.</summary>
    public string? Final { get; init; }
}

/// <summary>A tool call in a <see cref="ScenarioStep"/>.</summary>
public sealed record ScenarioCall
{
    /// <summary>The tool name, e.g. <c>read_file</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The arguments object.</summary>
    public required JsonElement Arguments { get; init; }

    /// <summary>The arguments as JSON text, as a model would send them.</summary>
    [JsonIgnore]
    public string ArgumentsJson => Arguments.GetRawText();

    /// <summary>Creates the <see cref="ToolCall"/> for this call.</summary>
    /// <param name="callId">The call id to use.</param>
    /// <returns>The tool call.</returns>
    public ToolCall ToToolCall(string callId) => new(callId, Name, ArgumentsJson);
}

/// <summary>The expected outcome of a scripted test run.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TestExpectation>))]
public enum TestExpectation
{
    /// <summary>The tests pass: exit code 0, no failures, at least one test passed.</summary>
    [JsonStringEnumMemberName("pass")]
    Pass,

    /// <summary>At least one test fails (or the run fails).</summary>
    [JsonStringEnumMemberName("fail")]
    Fail,
}
