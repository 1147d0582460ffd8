using Loopwire.Bench.Results;

namespace Loopwire.Bench.Report;

/// <summary>One (scenario, model, network) cell of the matrix: its runs by arm.</summary>
internal sealed record Cell(string Scenario, string Model, string Network, IReadOnlyDictionary<string, RunResult> ByArm)
{
    public RunResult? Arm(string arm) => ByArm.GetValueOrDefault(arm);

    /// <summary>http-stateless e2e / ws e2e (how many times faster ws finished the task), null without both arms.</summary>
    public double? WsSpeedUp => E2eRatio(ArmStyle.HttpStateless, ArmStyle.Ws);

    /// <summary><paramref name="slower"/> e2e / <paramref name="faster"/> e2e, null when either is missing or not positive.</summary>
    public double? E2eRatio(string slower, string faster) =>
        Arm(slower) is { E2eMsMedian: > 0 } a && Arm(faster) is { E2eMsMedian: > 0 } b ? a.E2eMsMedian / b.E2eMsMedian : null;

    public string Label => $"{Scenario} · {Model} · {Network}";

    /// <summary>The largest prompt of any turn in any arm: how long the history gets.</summary>
    public int MaxPromptTokens => ByArm.Values.SelectMany(r => r.TurnsDetail).SelectMany(t => t).Select(t => t.PromptTokens).DefaultIfEmpty(0).Max();
}

/// <summary>The results regrouped for the report: dimension values in order of first appearance, arms in the fixed order.</summary>
internal sealed class ReportModel
{
    public ReportModel(BenchResults results)
    {
        Results = results;
        Runs = results.Runs ?? [];
        Scenarios = [.. Runs.Select(r => r.Scenario ?? "").Distinct(StringComparer.Ordinal)];
        Models = [.. Runs.Select(r => r.Model ?? "").Distinct(StringComparer.Ordinal)];
        Networks = [.. Runs.Select(r => r.Network ?? "").Distinct(StringComparer.Ordinal)];
        Arms = ArmStyle.Sort(Runs.Select(r => r.Arm ?? ""));
        Cells = [.. Runs
            .GroupBy(r => (r.Scenario ?? "", r.Model ?? "", r.Network ?? ""))
            .OrderBy(g => Scenarios.IndexOf(g.Key.Item1)).ThenBy(g => Models.IndexOf(g.Key.Item2)).ThenBy(g => Networks.IndexOf(g.Key.Item3))
            .Select(g => new Cell(g.Key.Item1, g.Key.Item2, g.Key.Item3,
                g.GroupBy(r => r.Arm ?? "", StringComparer.Ordinal).ToDictionary(a => a.Key, a => a.First(), StringComparer.Ordinal)))];
    }

    public BenchResults Results { get; }

    public IReadOnlyList<RunResult> Runs { get; }

    public List<string> Scenarios { get; }

    public List<string> Models { get; }

    public List<string> Networks { get; }

    public List<string> Arms { get; }

    public List<Cell> Cells { get; }

    public CostModelEntry? CostOf(string model) => Results.CostModel?.FirstOrDefault(c => c.Model == model);

    public NetworkEntry? NetworkOf(string network) => Results.Networks?.FirstOrDefault(n => n.Name == network);

    public Cell? CellOf(string scenario, string model, string network) =>
        Cells.FirstOrDefault(c => c.Scenario == scenario && c.Model == model && c.Network == network);

    public static IEnumerable<TurnSample> Samples(RunResult run) =>
        (run.TurnsDetail ?? []).Where(rep => rep is not null).SelectMany(rep => rep).Where(t => t is not null);
}
