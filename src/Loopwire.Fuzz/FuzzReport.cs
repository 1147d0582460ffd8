namespace Loopwire.Fuzz;

/// <summary>The result of a fuzz run: counts by outcome, and a sample of the failures.</summary>
/// <param name="Inputs">Inputs sent.</param>
/// <param name="Counts">Inputs per outcome.</param>
/// <param name="Failures">Up to 50 failures: the input's kind and what happened.</param>
/// <param name="Elapsed">The run's duration.</param>
/// <param name="StoppedByTime">Whether <see cref="FuzzOptions.MaxDuration"/> ended the run early.</param>
public sealed record FuzzReport(int Inputs, IReadOnlyDictionary<FuzzOutcome, int> Counts, IReadOnlyList<string> Failures, TimeSpan Elapsed, bool StoppedByTime)
{
    /// <summary>Inputs whose outcome is a server fault: 5xx, unexpected statuses, bad closes, hangs, transport failures.</summary>
    public int FailureCount => Counts.Where(c => IsFailure(c.Key)).Sum(c => c.Value);

    /// <summary>Whether an outcome is a server fault.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>True for faults.</returns>
    public static bool IsFailure(FuzzOutcome outcome) => FuzzClassifier.IsFailure(outcome);

    /// <summary>One line per outcome class.</summary>
    /// <returns>The summary.</returns>
    public string Summary() =>
        $"{Inputs} inputs in {Elapsed.TotalSeconds:0.0} s{(StoppedByTime ? " (stopped by time)" : "")}: " +
        string.Join(", ", Counts.Where(c => c.Value > 0).OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}")) +
        $"; failures {FailureCount}";
}
