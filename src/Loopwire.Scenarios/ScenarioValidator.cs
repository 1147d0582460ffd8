using System.Text.Json;

namespace Loopwire.Scenarios;

/// <summary>The schema rules a <see cref="Scenario"/> must keep beyond what deserialization checks.</summary>
internal static class ScenarioValidator
{
    /// <exception cref="InvalidDataException">A rule is broken.</exception>
    public static void Validate(Scenario scenario)
    {
        Require(!string.IsNullOrWhiteSpace(scenario.Name), "name is empty");
        Require(!string.IsNullOrWhiteSpace(scenario.Task), "task is empty");
        Require(scenario.TestCommand is { Count: > 0 } && scenario.TestCommand.All(a => !string.IsNullOrEmpty(a)),
            "test_command must be a non-empty list of non-empty strings");
        Require(scenario.TestTimeoutSeconds is null or > 0, "test_timeout_seconds must be positive");
        Require(scenario.Steps is { Count: > 0 }, "steps is empty");
        var steps = scenario.Steps!;
        for (int i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            string where = $"step {i + 1}";
            Require(step is not null, $"{where} is null");
            bool last = i == steps.Count - 1;
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
                step.ExpectTests is null || step.Calls.Any(c => c.Name == Scenario.RunTestsToolName),
                $"{where}: expect_tests is only allowed on a step that calls {Scenario.RunTestsToolName}");
        }

        void Require(bool condition, string message)
        {
            if (!condition)
            {
                throw new InvalidDataException($"invalid scenario '{scenario.Name}': {message}");
            }
        }
    }
}
