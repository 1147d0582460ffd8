using System.Text;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Context;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Scenarios;
using Loopwire.Simulation.Scenarios;

namespace Loopwire.Simulation.Tests.Scenarios;

public sealed class ScenarioOracleTests
{
    private static readonly Scenario Script = Scenario.Parse(Encoding.UTF8.GetBytes("""
    {
      "name": "demo",
      "task": "Fix it.",
      "test_command": ["python3", "-m", "unittest"],
      "steps": [
        { "reasoning": "Look around.", "calls": [ { "name": "list_files", "arguments": { "pattern": "**/*" } } ] },
        { "reasoning": "Read both.", "calls": [ { "name": "read_file", "arguments": { "path": "a.py" } }, { "name": "read_file", "arguments": { "path": "b.py" } } ] },
        { "reasoning": "Test.", "calls": [ { "name": "run_tests", "arguments": {} } ], "expect_tests": "fail" },
        { "reasoning": "Fix.", "calls": [ { "name": "edit_file", "arguments": { "path": "a.py", "old": "x", "new": "y" } } ] },
        { "reasoning": "Test again.", "calls": [ { "name": "run_tests", "arguments": {} } ], "expect_tests": "pass" },
        { "final": "Fixed a.py; all tests pass." }
      ]
    }
    """));

    private readonly ScenarioOracle _oracle = new([Script]);
    private readonly List<ResponseItem> _items = [SimulationTestKit.User("scenario: demo. Fix it.")];
    private int _calls;

    private SimulatedPlan? Plan() => _oracle.Plan(
        new ModelRequest("sim-instant", new ConversationState([.. _items]), new CreateResponseRequest { Model = "sim-instant", Tools = SimulationTestKit.WeatherTool }), 1);

    private void Answer(SimulatedPlan plan, params string[] outputs)
    {
        var ids = new List<string>();
        foreach (var call in plan.Calls)
        {
            string id = $"call_{_calls++}";
            ids.Add(id);
            _items.Add(new FunctionCallItem { CallId = id, Name = call.Name, Arguments = call.Arguments });
        }

        for (int i = 0; i < ids.Count; i++)
        {
            _items.Add(new FunctionCallOutputItem { CallId = ids[i], Output = MessageContent.FromText(outputs[i]) });
        }
    }

    [Fact]
    public void Plan_HappyPath_PlaysScriptThenAnswers()
    {
        var p = Plan()!;
        Assert.Equal("list_files", Assert.Single(p.Calls).Name);
        Answer(p, "a.py\nb.py");

        p = Plan()!;
        Assert.Equal(["read_file", "read_file"], p.Calls.Select(c => c.Name));
        Answer(p, "x", "z");

        p = Plan()!;
        Answer(p, "passed: 1, failed: 2\nexit code: 1");
        p = Plan()!;
        Assert.Equal("edit_file", Assert.Single(p.Calls).Name);
        Assert.Contains("\"old\":\"x\"", p.Calls[0].Arguments, StringComparison.Ordinal);
        Answer(p, "edited a.py");
        p = Plan()!;
        Answer(p, "passed: 3, failed: 0\nexit code: 0");

        p = Plan()!;
        Assert.Empty(p.Calls);
        Assert.Equal("Fixed a.py; all tests pass.", p.Text);
    }

    [Fact]
    public void Plan_FailedCallInParallelStep_RetriesOnlyTheFailedCall()
    {
        Answer(Plan()!, "a.py\nb.py");
        var p = Plan()!;
        Answer(p, "x", "error: injected fault: tool temporarily unavailable");

        p = Plan()!;

        var retry = Assert.Single(p.Calls);
        Assert.Contains("b.py", retry.Arguments, StringComparison.Ordinal);
        Assert.Contains("retry", p.Reasoning, StringComparison.OrdinalIgnoreCase);
        Answer(p, "z");
        Assert.Equal("run_tests", Assert.Single(Plan()!.Calls).Name);
    }

    [Fact]
    public void Plan_ToolKeepsFailing_GivesUpHonestly()
    {
        for (int i = 0; i <= ScenarioOracle.MaxRetries; i++)
        {
            Answer(Plan()!, "error: boom");
        }

        var p = Plan()!;

        Assert.Empty(p.Calls);
        Assert.Contains("could not finish", p.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Plan_TestsStillFailAfterFix_ReportsFailure()
    {
        Answer(Plan()!, "a.py");
        Answer(Plan()!, "x", "z");
        Answer(Plan()!, "passed: 1, failed: 2");
        Answer(Plan()!, "edited");
        Answer(Plan()!, "passed: 2, failed: 1");

        var p = Plan()!;

        Assert.Empty(p.Calls);
        Assert.Contains("could not make the tests pass", p.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Plan_UnknownScenarioOrOffScript_ReturnsNull()
    {
        Assert.Null(_oracle.Plan(new ModelRequest("m", new ConversationState([SimulationTestKit.User("hello")]), new CreateResponseRequest()), 1));

        _items.Add(new FunctionCallItem { CallId = "c1", Name = "grep", Arguments = "{}" });
        _items.Add(new FunctionCallOutputItem { CallId = "c1", Output = MessageContent.FromText("nothing") });

        Assert.Null(Plan());
    }

    [Fact]
    public void Plan_NoToolsOffered_AnswersWithoutCalls()
    {
        Answer(Plan()!, "a.py");

        var p = _oracle.Plan(new ModelRequest("m", new ConversationState([.. _items]), new CreateResponseRequest { Model = "m" }), 1)!;

        Assert.Empty(p.Calls);
        Assert.Contains("1 of 5 steps", p.Text, StringComparison.Ordinal);
    }
}
