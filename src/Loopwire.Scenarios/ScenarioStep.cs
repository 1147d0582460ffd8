namespace Loopwire.Scenarios;

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
