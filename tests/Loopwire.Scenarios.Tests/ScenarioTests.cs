using System.Text;

namespace Loopwire.Scenarios.Tests;

public sealed class ScenarioTests
{
    private const string Valid = """
        {
          "name": "demo",
          "task": "Fix it.",
          "test_command": ["python3", "-m", "unittest"],
          "steps": [
            { "reasoning": "Look around.", "calls": [ { "name": "list_files", "arguments": { "pattern": "**/*.py" } } ] },
            { "reasoning": "Test.", "calls": [ { "name": "run_tests", "arguments": {} } ], "expect_tests": "fail" },
            { "final": "Done." }
          ],
          "future_field": true
        }
        """;

    [Fact]
    public void Parse_ValidScenario_ReadsEverything()
    {
        var scenario = Scenario.Parse(Encoding.UTF8.GetBytes(Valid));

        Assert.Equal("demo", scenario.Name);
        Assert.Equal(["python3", "-m", "unittest"], scenario.TestCommand);
        Assert.Equal(TimeSpan.FromSeconds(60), scenario.TestTimeout);
        Assert.Equal(3, scenario.Steps.Count);
        Assert.Equal(TestExpectation.Fail, scenario.Steps[1].ExpectTests);
        Assert.Null(scenario.Steps[0].ExpectTests);
        Assert.Equal("Done.", scenario.FinalAnswer);
        var call = scenario.Steps[0].Calls![0];
        Assert.Equal("list_files", call.Name);
        Assert.Equal("""{ "pattern": "**/*.py" }""", call.ArgumentsJson);
    }

    [Theory]
    [InlineData("\"expect_tests\": \"fail\"", "\"expect_tests\": \"maybe\"", "invalid scenario")]
    [InlineData("{ \"final\": \"Done.\" }", "{ \"reasoning\": \"x\", \"calls\": [ { \"name\": \"run_tests\", \"arguments\": {} } ] }", "the last step must have a final answer")]
    [InlineData("\"name\": \"run_tests\"", "\"name\": \"grep\"", "expect_tests is only allowed on a step that calls run_tests")]
    [InlineData("\"arguments\": {}", "\"arguments\": []", "the arguments of run_tests must be a JSON object")]
    [InlineData("[\"python3\", \"-m\", \"unittest\"]", "[]", "test_command must be a non-empty list")]
    [InlineData("\"task\": \"Fix it.\",", "", "invalid scenario")]
    public void Parse_InvalidScenario_ThrowsInvalidData(string find, string replace, string message)
    {
        var json = Valid.Replace(find, replace, StringComparison.Ordinal);

        var ex = Assert.Throws<InvalidDataException>(() => Scenario.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }
}
