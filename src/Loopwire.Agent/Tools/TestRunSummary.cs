using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Loopwire.Agent.Tools;

/// <summary>The counts at the head of a <c>run_tests</c> result: <c>passed: N, failed: M</c> then <c>exit code: X</c>.</summary>
/// <param name="Passed">Tests that passed.</param>
/// <param name="Failed">Tests that failed or errored.</param>
/// <param name="ExitCode">The test command's exit code.</param>
public readonly partial record struct TestRunSummary(int Passed, int Failed, int ExitCode)
{
    /// <summary>Whether the run passed: exit code 0, no failures and at least one passing test.</summary>
    public bool Succeeded => ExitCode == 0 && Failed == 0 && Passed > 0;

    /// <summary>Reads the summary from the output of a successful <c>run_tests</c> call.</summary>
    /// <param name="output">The tool output.</param>
    /// <param name="summary">The counts, when the output starts with them.</param>
    /// <returns>Whether the output starts with the two summary lines (error results never do).</returns>
    public static bool TryParse(string? output, out TestRunSummary summary)
    {
        summary = default;
        if (output is null)
        {
            return false;
        }

        var match = HeadRegex().Match(output);
        if (!match.Success)
        {
            return false;
        }

        summary = new TestRunSummary(
            int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture),
            int.Parse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture),
            int.Parse(match.Groups[3].ValueSpan, CultureInfo.InvariantCulture));
        return true;
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"passed: {Passed}, failed: {Failed}\nexit code: {ExitCode}");

    [GeneratedRegex(@"\Apassed: (\d+), failed: (\d+)\nexit code: (-?\d+)(?:\n|\z)")]
    private static partial Regex HeadRegex();
}
