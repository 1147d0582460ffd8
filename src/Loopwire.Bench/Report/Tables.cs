using System.Text;
using Loopwire.Bench.Results;
using static Loopwire.Bench.Report.Fmt;

namespace Loopwire.Bench.Report;

/// <summary>The report's tables: every run, the cost model, the networks.</summary>
internal static class Tables
{
    private static readonly (string Header, string Tip, bool Numeric, Func<RunResult, string> Value)[] RunColumns =
    [
        ("arm", "Transport arm", false, r => r.Arm),
        ("reps", "Repetitions the medians are over", true, r => Int(r.Repetitions)),
        ("e2e median", "Median end-to-end task time", true, r => Ms(r.E2eMsMedian)),
        ("e2e min", "Fastest repetition", true, r => Ms(r.E2eMsMin)),
        ("e2e max", "Slowest repetition", true, r => Ms(r.E2eMsMax)),
        ("floor", "The physical floor of the run", true, r => Ms(r.FloorMs)),
        ("÷ floor", "e2e / floor", true, r => Ratio(r.RatioVsFloor)),
        ("÷ ws", "e2e / the ws arm's e2e in the same cell", true, r => Ratio(r.RatioVsWs)),
        ("TTFT median", "Median time to first token over all turns", true, r => Ms(r.TtftMsMedian)),
        ("turn median", "Median turn time, send to terminal event", true, r => Ms(r.TurnMsMedian)),
        ("turns", "Model calls per task", true, r => Int(r.Turns)),
        ("tool calls", "Tool calls per task", true, r => Int(r.ToolCalls)),
        ("bytes up", "Client → server per task, on the emulated link", true, r => Bytes(r.BytesUp)),
        ("bytes down", "Server → client per task, on the emulated link", true, r => Bytes(r.BytesDown)),
        ("items sent", "Items the client sent per task", true, r => Int(r.ItemsSent)),
        ("tokens rendered", "Tokens the server tokenized per task", true, r => Tokens(r.TokensRendered)),
        ("server overhead / turn", "Median server overhead per turn (parse + resolve + render + validate)", true, r => Ms(r.ServerOverheadMsMedian)),
        ("cache hit", "Prompt tokens served from the prefix cache", true, r => Percent(r.PrefixCacheHitRate)),
        ("re\u00ADplays", "Full-context replays per task", true, r => Int(r.Replays)),
        ("recon\u00ADnects", "Reconnections per task", true, r => Int(r.Reconnects)),
        ("drops", "Connection drops injected per task", true, r => Int(r.Drops)),
        ("tests", "Every repetition finished with passing tests", false, r => r.TestsPassed ? "pass" : "FAIL"),
    ];

    public static string Runs(ReportModel m)
    {
        if (m.Runs.Count == 0)
        {
            return "<p class=\"empty\">No runs.</p>";
        }

        var sb = new StringBuilder("<div class=\"scroll\"><table class=\"runs\"><thead><tr>");
        foreach (var (header, tip, numeric, _) in RunColumns)
        {
            sb.Append("<th title=\"").Append(E(tip)).Append('"').Append(numeric ? " class=\"num\"" : "").Append('>').Append(E(header)).Append("</th>");
        }

        sb.Append("</tr></thead><tbody>");
        foreach (var cell in m.Cells)
        {
            var tools = string.Join(", ", cell.ByArm.Values.Select(r => r.Tools).Distinct(StringComparer.Ordinal));
            sb.Append("<tr class=\"group\"><th colspan=\"").Append(RunColumns.Length).Append("\">").Append(E(cell.Scenario))
                .Append(" · ").Append(E(cell.Model)).Append(" · ").Append(E(cell.Network)).Append("<span>").Append(E(tools)).Append(" tools</span></th></tr>");
            foreach (var run in m.Arms.Select(cell.Arm).OfType<RunResult>())
            {
                sb.Append("<tr>");
                foreach (var (header, _, numeric, value) in RunColumns)
                {
                    sb.Append(numeric ? "<td class=\"num\">" : "<td>");
                    if (header == "arm")
                    {
                        sb.Append("<i class=\"sw\" style=\"background:").Append(ArmStyle.Color(run.Arm)).Append("\"></i>");
                    }

                    sb.Append(header == "tests" && !run.TestsPassed ? "<b class=\"fail\">FAIL</b>" : E(value(run))).Append("</td>");
                }

                sb.Append("</tr>");
            }
        }

        return sb.Append("</tbody></table></div>").ToString();
    }

    public static string CostModel(ReportModel m)
    {
        var rows = m.Results.CostModel ?? [];
        if (rows.Count == 0)
        {
            return "<p class=\"empty\">The server reported no cost model.</p>";
        }

        var sb = new StringBuilder("<table><thead><tr><th>model profile</th><th class=\"num\">base latency</th><th class=\"num\">prefill</th><th class=\"num\">decode</th></tr></thead><tbody>");
        foreach (var c in rows)
        {
            sb.Append("<tr><td>").Append(E(c.Model)).Append("</td><td class=\"num\">").Append(E(Ms(c.BaseLatencyMs)))
                .Append("</td><td class=\"num\">").Append(E(Num(c.PrefillTokensPerSecond))).Append(" tok/s</td><td class=\"num\">")
                .Append(E(Num(c.DecodeTokensPerSecond))).Append(" tok/s</td></tr>");
        }

        return sb.Append("</tbody></table>").ToString();
    }

    public static string Networks(ReportModel m)
    {
        var rows = m.Results.Networks ?? [];
        if (rows.Count == 0)
        {
            return "<p class=\"empty\">No emulated networks listed.</p>";
        }

        var sb = new StringBuilder("<table><thead><tr><th>network</th><th class=\"num\">RTT</th><th class=\"num\">up</th><th class=\"num\">down</th><th class=\"num\">jitter</th><th class=\"num\">connection drop</th></tr></thead><tbody>");
        foreach (var n in rows)
        {
            sb.Append("<tr><td>").Append(E(n.Name)).Append("</td><td class=\"num\">").Append(E(Ms(n.RttMs)))
                .Append("</td><td class=\"num\">").Append(E(Num(n.UpMbps))).Append(" Mbit/s</td><td class=\"num\">")
                .Append(E(Num(n.DownMbps))).Append(" Mbit/s</td><td class=\"num\">").Append(E(Ms(n.JitterMs)))
                .Append("</td><td class=\"num\">").Append(n.DropEveryTurns > 0 ? $"every {E(Num(n.DropEveryTurns))} turns" : "never")
                .Append("</td></tr>");
        }

        return sb.Append("</tbody></table>").ToString();
    }
}
