using System.Text;
using Loopwire.Bench.Results;
using static Loopwire.Bench.Report.Fmt;

namespace Loopwire.Bench.Report;

/// <summary>The report's charts as inline SVG (no script): small multiples per (model, network) for e2e and TTFT,
/// one scatter for server overhead, and per-scenario lines for bytes per turn.</summary>
internal static class Charts
{
    private const double PanelWidth = 440;
    private const double RowHeight = 26;
    private const double PanelTop = 8;
    private const double LabelRight = 96;
    private const double ValueColumn = 62;

    /// <summary>Draws nothing below this many samples per chart; says so instead.</summary>
    private const string NoSamples = "<p class=\"empty\">No per-turn samples (turns_detail is empty).</p>";

    public static string Legend(IEnumerable<string> arms, params (string Swatch, string Label)[] extra)
    {
        var sb = new StringBuilder("<div class=\"legend\">");
        foreach (var arm in arms)
        {
            sb.Append("<span><i class=\"sw\" style=\"background:").Append(ArmStyle.Color(arm)).Append("\"></i>").Append(E(arm)).Append("</span>");
        }

        foreach (var (swatch, label) in extra)
        {
            sb.Append("<span>").Append(swatch).Append(E(label)).Append("</span>");
        }

        return sb.Append("</div>").ToString();
    }

    /// <summary>Chart 2: per scenario, one panel per (model, network), a bar per arm (median e2e) with min–max whiskers and
    /// the floor as a black tick.</summary>
    public static string E2e(ReportModel m)
    {
        var sb = new StringBuilder();
        foreach (var scenario in m.Scenarios)
        {
            sb.Append("<h3>").Append(E(scenario)).Append("</h3>").Append(PanelsOpen(m.Networks.Count));
            foreach (var cell in m.Cells.Where(c => c.Scenario == scenario))
            {
                var sub = cell.WsSpeedUp is { } s ? $"ws {Ratio(s)} vs http-stateless · {Narrative.Verdict(s)}" : "ws vs http-stateless: n/a";
                sb.Append(PanelOpen(cell.Model, cell.Network, sub)).Append(E2ePanel(m, cell)).Append("</div>");
            }

            sb.Append("</div>");
        }

        return sb.ToString();
    }

    private static string E2ePanel(ReportModel m, Cell cell)
    {
        var (svg, x, y0) = HorizontalPanel(m, $"End-to-end time, {cell.Label}",
            cell.ByArm.Values.SelectMany(r => new[] { r.E2eMsMax, r.E2eMsMedian, r.FloorMs }), "end-to-end task time");
        for (var i = 0; i < m.Arms.Count; i++)
        {
            var arm = m.Arms[i];
            var top = PanelTop + (i * RowHeight);
            if (cell.Arm(arm) is not { } r)
            {
                svg.Text(x.RangeFrom + 6, top + 17, "not run", "note");
                continue;
            }

            var mid = top + (RowHeight / 2);
            var tip = $"{arm}: median {Ms(r.E2eMsMedian)} (min {Ms(r.E2eMsMin)}, max {Ms(r.E2eMsMax)}, {r.Repetitions} rep.); floor {Ms(r.FloorMs)}, {Ratio(r.RatioVsFloor)} of floor";
            svg.Rect(x.RangeFrom, mid - 8, x.Map(r.E2eMsMedian) - x.RangeFrom, 16, ArmStyle.Color(arm), tip);
            if (r.E2eMsMax > r.E2eMsMin)
            {
                svg.Line(x.Map(r.E2eMsMin), mid, x.Map(r.E2eMsMax), mid, "whisker");
                svg.Line(x.Map(r.E2eMsMin), mid - 4, x.Map(r.E2eMsMin), mid + 4, "whisker");
                svg.Line(x.Map(r.E2eMsMax), mid - 4, x.Map(r.E2eMsMax), mid + 4, "whisker");
            }

            if (r.FloorMs > 0)
            {
                svg.Line(x.Map(r.FloorMs), mid - 11, x.Map(r.FloorMs), mid + 11, "floor", tip: $"floor {Ms(r.FloorMs)}");
            }

            svg.Text(PanelWidth - 6, mid + 4, Ms(r.E2eMsMedian), "value", "end", tip: tip);
        }

        return svg.ToString();
    }

    /// <summary>Chart 4: per (model, network), a box per arm over the TTFT of every turn of every repetition and scenario.</summary>
    public static string Ttft(ReportModel m)
    {
        if (!m.Runs.Any(r => ReportModel.Samples(r).Any()))
        {
            return NoSamples;
        }

        var sb = new StringBuilder(PanelsOpen(m.Networks.Count));
        foreach (var model in m.Models)
        {
            foreach (var network in m.Networks)
            {
                var runs = m.Runs.Where(r => r.Model == model && r.Network == network).ToList();
                if (runs.Count == 0)
                {
                    continue;
                }

                var byArm = m.Arms.ToDictionary(a => a, a => runs.Where(r => r.Arm == a).SelectMany(ReportModel.Samples)
                    .Select(t => t.TtftMs).Where(double.IsFinite).Order().ToList());
                var scenarios = runs.Select(r => r.Scenario).Distinct().Count();
                sb.Append(PanelOpen(model, network, $"all turns of {scenarios} scenario{(scenarios == 1 ? "" : "s")}"))
                    .Append(TtftPanel(m, model, network, byArm)).Append("</div>");
            }
        }

        return sb.Append("</div>").ToString();
    }

    private static string TtftPanel(ReportModel m, string model, string network, Dictionary<string, List<double>> byArm)
    {
        var (svg, x, _) = HorizontalPanel(m, $"Time to first token, {model} · {network}", byArm.Values.SelectMany(v => v), "time to first token");
        for (var i = 0; i < m.Arms.Count; i++)
        {
            var arm = m.Arms[i];
            var v = byArm[arm];
            var top = PanelTop + (i * RowHeight);
            var mid = top + (RowHeight / 2);
            if (v.Count == 0)
            {
                svg.Text(x.RangeFrom + 6, top + 17, "no samples", "note");
                continue;
            }

            double q1 = Stats.Quantile(v, 0.25), q2 = Stats.Quantile(v, 0.5), q3 = Stats.Quantile(v, 0.75);
            var iqr = q3 - q1;
            var lo = v.First(t => t >= q1 - (1.5 * iqr));
            var hi = v.Last(t => t <= q3 + (1.5 * iqr));
            var tip = $"{arm}: median {Ms(q2)}, quartiles {Ms(q1)}–{Ms(q3)}, whiskers {Ms(lo)}–{Ms(hi)}, {v.Count} turns";
            var color = ArmStyle.Color(arm);
            svg.Line(x.Map(lo), mid, x.Map(q1), mid, "whisker", color);
            svg.Line(x.Map(q3), mid, x.Map(hi), mid, "whisker", color);
            svg.Line(x.Map(lo), mid - 4, x.Map(lo), mid + 4, "whisker", color);
            svg.Line(x.Map(hi), mid - 4, x.Map(hi), mid + 4, "whisker", color);
            svg.Rect(x.Map(q1), mid - 8, Math.Max(1.5, x.Map(q3) - x.Map(q1)), 16, color, tip, "box");
            svg.Line(x.Map(q2), mid - 8, x.Map(q2), mid + 8, "median");
            foreach (var o in Outliers(v, lo, hi, 30))
            {
                svg.Circle(x.Map(o), mid, 2, color, $"{arm}: {Ms(o)}", "outlier");
            }

            svg.Text(PanelWidth - 6, mid + 4, Ms(q2), "value", "end", tip: tip);
        }

        return svg.ToString();
    }

    /// <summary>Chart 3: server overhead of every turn against its prompt size, all cells pooled, a median line per arm.</summary>
    public static string Overhead(ReportModel m)
    {
        var series = m.Arms.Select(a => (Arm: a, Points: m.Runs.Where(r => r.Arm == a).SelectMany(ReportModel.Samples)
            .Where(t => double.IsFinite(t.ServerOverheadMs)).Select(t => (X: (double)t.PromptTokens, Y: t.ServerOverheadMs)).ToList())).ToList();
        if (series.All(s => s.Points.Count == 0))
        {
            return NoSamples;
        }

        const double W = 960, H = 430, L = 84, R = 24, T = 14, B = 50;
        var svg = new SvgCanvas(W, H, "Server overhead per turn vs prompt tokens");
        var all = series.SelectMany(s => s.Points).ToList();
        var x = new LinearScale(0, all.Max(p => p.X), L, W - R, 8);
        var y = Scale.Auto(all.Select(p => p.Y), H - B, T);
        svg.LeftAxis(y, L, W - R, Fmt.TimeTicks(y.Max), "server overhead per turn");
        svg.BottomAxis(x, H - B, T, Tokens, "prompt tokens of the turn (history length)");
        foreach (var (arm, points) in series)
        {
            var stride = Math.Max(1, points.Count / 500);
            for (var i = 0; i < points.Count; i += stride)
            {
                var p = points[i];
                svg.Circle(x.Map(p.X), y.Map(p.Y), 2.2, ArmStyle.Color(arm), $"{arm}: {Int((long)p.X)} prompt tokens, {Ms(p.Y)}", "pt");
            }
        }

        foreach (var (arm, points) in series.Where(s => s.Points.Count > 0))
        {
            var line = Binned(points, x.Min, x.Max, 24).Select(p => (x.Map(p.X), y.Map(p.Y))).ToList();
            DrawLine(svg, arm, line, $"{arm}: median per {Tokens((x.Max - x.Min) / 24)}-token bin");
        }

        return svg.ToString();
    }

    /// <summary>Chart 5: per scenario, median bytes per turn index over all models, networks and repetitions.</summary>
    public static string Bytes(ReportModel m)
    {
        if (!m.Runs.Any(r => ReportModel.Samples(r).Any()))
        {
            return NoSamples;
        }

        var sb = new StringBuilder();
        foreach (var scenario in m.Scenarios)
        {
            var samples = m.Arms.ToDictionary(a => a, a => m.Runs.Where(r => r.Scenario == scenario && r.Arm == a)
                .SelectMany(ReportModel.Samples).ToList());
            if (samples.Values.All(s => s.Count == 0))
            {
                continue;
            }

            sb.Append("<h3>").Append(E(scenario)).Append("</h3><div class=\"pair\">")
                .Append("<div>").Append(BytesChart(scenario, samples, 660, "sent", t => t.BytesSent)).Append("</div>")
                .Append("<div>").Append(BytesChart(scenario, samples, 440, "received", t => t.BytesReceived)).Append("</div>")
                .Append("</div>");
        }

        return sb.ToString();
    }

    private static string BytesChart(string scenario, Dictionary<string, List<TurnSample>> samples, double w, string direction, Func<TurnSample, long> bytes)
    {
        const double H = 330, L = 70, R = 16, T = 12, B = 46;
        var svg = new SvgCanvas(w, H, $"Bytes {direction} per turn, {scenario}");
        var series = samples.Select(kv => (Arm: kv.Key, Points: kv.Value.GroupBy(t => t.Index).OrderBy(g => g.Key)
            .Select(g => (Turn: g.Key, Bytes: Stats.Median(g.Select(t => (double)bytes(t))), N: g.Count())).ToList())).ToList();
        var all = series.SelectMany(s => s.Points).ToList();
        var x = new LinearScale(all.Min(p => p.Turn), all.Max(p => p.Turn), L, w - R, w > 500 ? 8 : 5);
        var y = Scale.Auto(all.Select(p => p.Bytes), H - B, T);
        svg.LeftAxis(y, L, w - R, Fmt.Bytes, $"bytes {direction} per turn");
        svg.BottomAxis(x, H - B, T, Num, "turn index");
        foreach (var (arm, points) in series.Where(s => s.Points.Count > 0))
        {
            DrawLine(svg, arm, [.. points.Select(p => (x.Map(p.Turn), y.Map(p.Bytes)))], $"{arm}: bytes {direction} per turn");
            foreach (var p in points)
            {
                svg.Circle(x.Map(p.Turn), y.Map(p.Bytes), 2.2, ArmStyle.Color(arm), $"{arm}, turn {p.Turn}: {Fmt.Bytes(p.Bytes)} {direction} (median of {p.N})");
            }
        }

        return svg.ToString();
    }

    /// <summary>A grid of small multiples, one column per network (so rows are models), two to four columns.</summary>
    private static string PanelsOpen(int networks) =>
        $"<div class=\"panels\" style=\"--cols:{Math.Clamp(networks, 2, 4)}\">";

    private static string PanelOpen(string model, string network, string sub) =>
        $"<div class=\"panel\"><div class=\"panel-title\">{E(model)} · {E(network)}</div><div class=\"panel-sub\">{E(sub)}</div>";

    /// <summary>A small multiple with one row per arm (labels left, median values right) and a value axis at the bottom.</summary>
    private static (SvgCanvas Svg, Scale X, double Y0) HorizontalPanel(ReportModel m, string title, IEnumerable<double> values, string axisLabel)
    {
        var y0 = PanelTop + (m.Arms.Count * RowHeight) + 2;
        var svg = new SvgCanvas(PanelWidth, y0 + 40, title);
        var x = Scale.Auto(values, LabelRight, PanelWidth - ValueColumn);
        svg.BottomAxis(x, y0, PanelTop, Fmt.TimeTicks(x.Max), axisLabel);
        for (var i = 0; i < m.Arms.Count; i++)
        {
            svg.Text(LabelRight - 8, PanelTop + (i * RowHeight) + (RowHeight / 2) + 4, m.Arms[i], "arm", "end");
        }

        return (svg, x, y0);
    }

    private static void DrawLine(SvgCanvas svg, string arm, List<(double X, double Y)> points, string tip)
    {
        if (points.Count > 1)
        {
            svg.Polyline(points, ArmStyle.Color(arm), ArmStyle.LineWidth(arm), ArmStyle.Dash(arm), tip);
        }
    }

    private static IEnumerable<(double X, double Y)> Binned(List<(double X, double Y)> points, double min, double max, int bins)
    {
        var width = (max - min) / bins;
        return points.GroupBy(p => Math.Min(bins - 1, (int)((p.X - min) / width)))
            .OrderBy(g => g.Key)
            .Select(g => (Stats.Median(g.Select(p => p.X)), Stats.Median(g.Select(p => p.Y))));
    }

    private static IEnumerable<double> Outliers(List<double> sorted, double lo, double hi, int cap)
    {
        var outside = sorted.Where(v => v < lo || v > hi).ToList();
        var stride = Math.Max(1, (int)Math.Ceiling(outside.Count / (double)cap));
        return outside.Where((_, i) => i % stride == 0);
    }
}
