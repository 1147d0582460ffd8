using System.Text;
using static Loopwire.Bench.Report.Fmt;

namespace Loopwire.Bench.Report;

/// <summary>The "honest reading" as plain text (the caller encodes it): a lead paragraph and a few labelled points.</summary>
internal sealed record Reading(string Lead, IReadOnlyList<(string Label, string Text)> Points);

/// <summary>Generates the honest reading from the numbers, never from expectations.</summary>
/// <remarks>A factor (model, network, scenario) is only explained ("faster models gain more") when the per-level medians
/// actually line up with it; otherwise the numbers are listed without a story.</remarks>
internal static class Narrative
{
    /// <summary>Within this band around 1 a ratio is reported as "no meaningful difference".</summary>
    public const double Band = 0.05;

    private const string BandText = "5%";

    /// <summary>The verdict on a speed-up, judged at the two decimals the report shows so that words and numbers agree.</summary>
    public static string Verdict(double? speedUp) => (speedUp is { } v ? Math.Round(v, 2) : (double?)null) switch
    {
        null => "n/a",
        >= 1 + Band => "ws faster",
        <= 1 - Band => "ws slower",
        _ => "no meaningful difference",
    };

    public static Reading HonestReading(ReportModel m)
    {
        var cells = m.Cells.Where(c => c.WsSpeedUp is not null).ToList();
        if (cells.Count == 0)
        {
            return new("No (scenario, model, network) cell has both the ws and the http-stateless arm, so the ws speed-up is n/a.", []);
        }

        var lead = new StringBuilder();
        var speedUps = cells.Select(c => c.WsSpeedUp!.Value).ToList();
        if (cells.Count == 1)
        {
            lead.Append($"ws finished the task {Ratio(speedUps[0])} as fast as http-stateless ({Verdict(speedUps[0])}). ");
        }
        else
        {
            lead.Append($"Across {cells.Count} (scenario, model, network) cells, ws finished the task between {Ratio(speedUps.Min())} and {Ratio(speedUps.Max())} as fast as http-stateless (median {Ratio(Stats.Median(speedUps))}). ");
        }

        var wins = cells.Where(c => Verdict(c.WsSpeedUp) == "ws faster").OrderByDescending(c => c.WsSpeedUp).ToList();
        if (wins.Count > 0 && cells.Count > 1)
        {
            lead.Append($"It wins by more than {BandText} in {wins.Count} of {cells.Count}; the largest gain is {Ratio(wins[0].WsSpeedUp)} on {wins[0].Label}. ");
        }

        var flat = cells.Where(c => Verdict(c.WsSpeedUp) == "no meaningful difference").ToList();
        if (flat.Count > 0)
        {
            lead.Append($"No meaningful difference (within ±{BandText}) {Where(flat)}");
            var floorRatios = flat.Select(c => c.Arm(ArmStyle.HttpStateless)!.RatioVsFloor).Where(r => r > 0).ToList();
            if (floorRatios.Count > 0)
            {
                lead.Append($": there http-stateless already runs at {Ratio(Stats.Median(floorRatios))} its floor, so the model and the tools dominate and there is little left for a transport to win");
            }

            lead.Append(". ");
        }

        var losses = cells.Where(c => Verdict(c.WsSpeedUp) == "ws slower").ToList();
        if (losses.Count > 0)
        {
            lead.Append($"ws was slower by more than {BandText} {Where(losses)}. ");
        }

        var points = new List<(string, string)>();
        Factor(points, m, cells, "model", c => c.Model, Decode, "faster models gain more: the quicker the model, the larger the share of each turn that re-sending and re-processing the history takes");
        Factor(points, m, cells, "network", c => c.Network, Slowness, "slower links gain more, since http-stateless pushes the whole history through them on every turn");
        Factor(points, m, cells, "scenario", c => c.Scenario, HistoryLength, "longer histories gain more, since each http-stateless turn re-sends and re-tokenizes all of it");

        var transport = cells.Select(c => c.E2eRatio(ArmStyle.HttpStateless, ArmStyle.WsFull)).OfType<double>().ToList();
        var state = cells.Select(c => c.E2eRatio(ArmStyle.WsFull, ArmStyle.Ws)).OfType<double>().ToList();
        if (transport.Count > 0 && state.Count > 0)
        {
            points.Add(("Transport vs state", $"the transport alone (ws-full vs http-stateless) gives a median {Ratio(Stats.Median(transport))}; keeping the state on the connection (ws vs ws-full) a further {Ratio(Stats.Median(state))}."));
        }

        // E2eRatio(a, b) is a's time over b's: above 1 when b was faster.
        var grpc = cells.Select(c => c.E2eRatio(ArmStyle.Grpc, ArmStyle.Ws)).OfType<double>().ToList();
        if (grpc.Count > 0)
        {
            points.Add(("ws vs grpc", $"the same deltas over a gRPC stream took a median {Ratio(Stats.Median(grpc))} of ws's time (range {Ratio(grpc.Min())}–{Ratio(grpc.Max())}, {grpc.Count} cells)."));
        }

        var polling = cells.Select(c => c.E2eRatio(ArmStyle.HttpPolling, ArmStyle.Ws)).OfType<double>().ToList();
        if (polling.Count > 0)
        {
            points.Add(("ws vs http-polling", $"background + polling took a median {Ratio(Stats.Median(polling))} of ws's time ({polling.Count} cells): it waits up to one poll interval per turn and streams nothing."));
        }

        var wsFloor = cells.Select(c => c.Arm(ArmStyle.Ws)!.RatioVsFloor).Where(r => r > 0).ToList();
        var slFloor = cells.Select(c => c.Arm(ArmStyle.HttpStateless)!.RatioVsFloor).Where(r => r > 0).ToList();
        if (wsFloor.Count > 0 && slFloor.Count > 0)
        {
            points.Add(("Floor", $"ws ran at a median {Ratio(Stats.Median(wsFloor))} of its floor (worst {Ratio(wsFloor.Max())}); http-stateless at {Ratio(Stats.Median(slFloor))} (worst {Ratio(slFloor.Max())})."));
        }

        return new(lead.ToString().TrimEnd(), points);
    }

    private static string Where(List<Cell> cells)
    {
        const int Shown = 4;
        var names = string.Join("; ", cells.Take(Shown).Select(c => c.Label));
        return cells.Count > Shown ? $"in {cells.Count} cells, e.g. {names}" : $"in {names}";
    }

    /// <summary>One point per factor with more than one level: the per-level median speed-ups, best first, and
    /// <paramref name="story"/> only when the ranking of <paramref name="key"/> agrees with the ranking of speed-ups.</summary>
    private static void Factor(List<(string, string)> points, ReportModel m, List<Cell> cells, string name, Func<Cell, string> level,
        Func<ReportModel, List<Cell>, string, (double Key, string Note)?> key, string story)
    {
        var levels = cells.GroupBy(level)
            .Select(g => (Level: g.Key, SpeedUp: Stats.Median(g.Select(c => c.WsSpeedUp!.Value)), Info: key(m, [.. g], g.Key)))
            .OrderByDescending(l => l.SpeedUp)
            .ToList();
        if (levels.Count < 2)
        {
            return;
        }

        var text = new StringBuilder(string.Join(", ", levels.Select(l => $"{l.Level}{(l.Info is { } i ? $" ({i.Note})" : "")} {Ratio(l.SpeedUp)}")));
        var spread = levels[0].SpeedUp / levels[^1].SpeedUp;
        if (levels.All(l => l.Info is not null) && spread > 1 + (Band / 2))
        {
            var rho = Stats.Spearman([.. levels.Select(l => l.Info!.Value.Key)], [.. levels.Select(l => l.SpeedUp)]);
            if (rho >= 0.5)
            {
                text.Append(" — ").Append(story);
            }
        }

        points.Add(($"By {name}", text.Append('.').ToString()));
    }

    private static (double, string)? Decode(ReportModel m, List<Cell> cells, string model) =>
        m.CostOf(model) is { DecodeTokensPerSecond: > 0 } c ? (c.DecodeTokensPerSecond, $"decode {Num(c.DecodeTokensPerSecond)} tok/s") : null;

    private static (double, string)? Slowness(ReportModel m, List<Cell> cells, string network)
    {
        if (m.NetworkOf(network) is not { } n)
        {
            return null;
        }

        // Round trip plus the time to push 100 kB up: one number that orders links by what a re-sent history costs.
        var cost = n.RttMs + (n.UpMbps > 0 ? 100_000 * 8 / (n.UpMbps * 1000) : 1e6);
        return (cost, $"{Num(n.RttMs)} ms RTT, {Num(n.UpMbps)} Mbit/s up");
    }

    private static (double, string)? HistoryLength(ReportModel m, List<Cell> cells, string scenario)
    {
        var tokens = cells.Max(c => c.MaxPromptTokens);
        var turns = cells.Select(c => c.Arm(ArmStyle.Ws)?.Turns ?? c.ByArm.Values.First().Turns).Max();
        return tokens > 0 ? (tokens, $"{turns} turns, up to {Tokens(tokens)} prompt tokens") : null;
    }
}
