using System.Text;
using Loopwire.Bench.Results;
using static Loopwire.Bench.Report.Fmt;

namespace Loopwire.Bench.Report;

/// <summary>Writes the benchmark's <c>report.html</c>: one self-contained page (inline CSS and SVG, no script, no
/// network access) that shows the four transport arms side by side.</summary>
/// <remarks>
/// Sections, in order: the headline (ws speed-up vs http-stateless and vs its floor, per scenario, model and network, with
/// an "honest reading" generated from the numbers); end-to-end time by arm; server overhead per turn vs history length;
/// TTFT distributions; bytes per turn; every run in a table; the cost model, the networks, the machine, the command and a
/// note on how to read the page. Every string that comes from the results is HTML-encoded. The methods are pure and
/// thread-safe.
/// </remarks>
public static class HtmlReportWriter
{
    /// <summary>Renders the report.</summary>
    /// <param name="results">The benchmark results; runs may lack arms, repetitions or per-turn samples.</param>
    /// <returns>The complete HTML document.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="results"/> is null.</exception>
    public static string Render(BenchResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var m = new ReportModel(results);
        var sb = new StringBuilder(256 * 1024);
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>Loopwire bench: ").Append(E(string.Join(", ", m.Scenarios))).Append("</title><style>").Append(Css).Append("</style></head><body><main>");

        sb.Append("<header><h1>Loopwire bench: WebSocket mode vs HTTP</h1><p class=\"meta\">")
            .Append(E(results.CreatedAt)).Append(" · ").Append(E(Plural(m.Runs.Count, "run"))).Append(" · ")
            .Append(E(Plural(m.Cells.Count, "cell"))).Append(" (scenario × model × network) · arms: ")
            .Append(E(string.Join(", ", m.Arms))).Append("</p></header>");

        Section(sb, "headline", "Headline", Headline(m));
        Section(sb, "e2e", "End-to-end time by arm",
            Charts.Legend(m.Arms, ("<i class=\"mk-floor\"></i>", "floor"), ("<i class=\"mk-whisker\"></i>", "min–max over repetitions"))
            + "<p class=\"caption\">Median task time per arm; each panel has its own time axis. Shorter is better; nothing can go left of the black floor tick.</p>"
            + Charts.E2e(m));
        Section(sb, "overhead", "Server overhead per turn vs history length",
            Charts.Legend(m.Arms, ("<i class=\"mk-line\"></i>", "median per bin"))
            + "<p class=\"caption\">Each dot is one turn (parse + resolve + render + validate on the server), from every scenario, model, network and repetition; "
            + "lines are medians over bins of prompt size. The y axis turns logarithmic when the values span more than two decades.</p>"
            + Charts.Overhead(m));
        Section(sb, "ttft", "Time to first token",
            Charts.Legend(m.Arms)
            + "<p class=\"caption\">Box: 25th–75th percentile, black line: median, whiskers: the furthest turn within 1.5× the box width, dots: turns beyond. Per model and network, every turn of every scenario and repetition.</p>"
            + Charts.Ttft(m));
        Section(sb, "bytes", "Bytes per turn",
            Charts.Legend(m.Arms)
            + "<p class=\"caption\">Bytes the client sent (left) and received (right) per turn, measured on the emulated link; the median over models, networks and repetitions at each turn index.</p>"
            + Charts.Bytes(m));
        Section(sb, "runs", "All runs",
            "<p class=\"caption\">One row per arm in each (scenario, model, network) cell: medians over its repetitions (per task unless the column says per turn). ÷ ws = this arm's e2e over the ws arm's in the same cell (n/a when ws was not run); ÷ floor = e2e over the floor.</p>"
            + Tables.Runs(m));
        Section(sb, "setup", "Cost model, networks and set-up", Setup(m));
        sb.Append("</main></body></html>\n");
        return sb.ToString();
    }

    /// <summary>Renders the report and writes it (UTF-8), creating the directory if needed.</summary>
    /// <param name="results">The benchmark results.</param>
    /// <param name="path">The file to write, conventionally <c>DIR/report.html</c>; overwritten if it exists.</param>
    /// <param name="ct">Cancels the write.</param>
    /// <returns>A task that completes when the file is written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="results"/> or <paramref name="path"/> is null.</exception>
    public static async Task WriteAsync(BenchResults results, string path, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var html = Render(results);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        await File.WriteAllTextAsync(path, html, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), ct).ConfigureAwait(false);
    }

    private static void Section(StringBuilder sb, string id, string title, string body) =>
        sb.Append("<section id=\"").Append(id).Append("\"><h2>").Append(E(title)).Append("</h2>").Append(body).Append("</section>");

    private static string Headline(ReportModel m)
    {
        var sb = new StringBuilder();
        var failed = m.Runs.Count(r => !r.TestsPassed);
        if (failed > 0)
        {
            sb.Append("<p class=\"warn\">").Append(E($"{Plural(failed, "run")} did not finish with passing tests in every repetition; see the table of runs.")).Append("</p>");
        }

        sb.Append("<p class=\"caption\">Big number: how many times faster ws finished the task than http-stateless (median e2e of http-stateless ÷ median e2e of ws). ")
            .Append("Below it: ws e2e ÷ its floor (1.00× = no transport could do better, see How to read this).</p><div class=\"heads\">");
        foreach (var scenario in m.Scenarios)
        {
            var models = m.Models.Where(mo => m.Cells.Any(c => c.Scenario == scenario && c.Model == mo)).ToList();
            var networks = m.Networks.Where(n => m.Cells.Any(c => c.Scenario == scenario && c.Network == n)).ToList();
            sb.Append("<table class=\"head\"><caption>").Append(E(scenario)).Append("</caption><thead><tr><th></th>");
            foreach (var n in networks)
            {
                sb.Append("<th>").Append(E(n)).Append("</th>");
            }

            sb.Append("</tr></thead><tbody>");
            foreach (var model in models)
            {
                sb.Append("<tr><th>").Append(E(model)).Append("</th>");
                foreach (var network in networks)
                {
                    sb.Append(HeadlineCell(m.CellOf(scenario, model, network)));
                }

                sb.Append("</tr>");
            }

            sb.Append("</tbody></table>");
        }

        var reading = Narrative.HonestReading(m);
        sb.Append("</div><h3>Honest reading</h3><p class=\"reading\">").Append(E(reading.Lead)).Append("</p>");
        if (reading.Points.Count > 0)
        {
            sb.Append("<ul class=\"points\">");
            foreach (var (label, text) in reading.Points)
            {
                sb.Append("<li><b>").Append(E(label)).Append(":</b> ").Append(E(text)).Append("</li>");
            }

            sb.Append("</ul>");
        }

        return sb.ToString();
    }

    private static string HeadlineCell(Cell? cell)
    {
        if (cell is null)
        {
            return "<td class=\"big na\">not run</td>";
        }

        var s = cell.WsSpeedUp;
        var verdict = Narrative.Verdict(s);
        var cls = verdict switch { "ws faster" => "win", "ws slower" => "loss", "n/a" => "na", _ => "even" };
        if (s is null)
        {
            var missing = new[] { ArmStyle.HttpStateless, ArmStyle.Ws }.Where(a => cell.Arm(a) is null).ToList();
            verdict = missing.Count > 0 ? string.Join(" and ", missing) + " not run" : "no e2e time";
        }

        var floor = Ratio(cell.Arm(ArmStyle.Ws) is { RatioVsFloor: > 0 } ws ? ws.RatioVsFloor : null);
        return $"<td class=\"big {cls}\" title=\"{E(cell.Label)}\"><span class=\"n\">{E(Ratio(s))}</span><span class=\"v\">{E(verdict)}</span>"
            + $"<span class=\"f\">ws ÷ floor <b>{E(floor)}</b></span></td>";
    }

    private static string Setup(ReportModel m)
    {
        var r = m.Results;
        var sb = new StringBuilder("<div class=\"cols\"><div><h3>Cost model of the simulated model</h3>");
        sb.Append(Tables.CostModel(m))
            .Append("<p class=\"formula\">TTFT = base latency + uncached prompt tokens ÷ prefill rate<br>decode time = output tokens ÷ decode rate</p>")
            .Append("</div><div><h3>Networks (link emulator)</h3>").Append(Tables.Networks(m)).Append("</div></div>");

        sb.Append("<h3>Run</h3><dl class=\"facts\"><dt>created</dt><dd>").Append(E(r.CreatedAt)).Append("</dd>");
        if (r.Machine is { } mi)
        {
            sb.Append("<dt>machine</dt><dd>").Append(E($"{Plural(mi.Cores, "core")}, {Fmt.Memory(mi.MemoryBytes)} memory, {mi.Os}, {mi.Runtime}")).Append("</dd>");
        }

        sb.Append("<dt>command</dt><dd><code>").Append(E(r.Command)).Append("</code></dd><dt>schema</dt><dd>version ")
            .Append(E(r.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))).Append("</dd></dl>");

        sb.Append("<h3>How to read this</h3><ul class=\"howto\">")
            .Append("<li>Every arm runs the same scenario against the same simulated model and the same recorded tools; only the transport differs. ")
            .Append("<b>ws-full vs http-stateless</b> isolates the transport (both send the full history each turn); <b>ws vs ws-full</b> isolates the state (deltas + previous_response_id vs full history).</li>")
            .Append("<li>The <b>floor</b> is the time no transport can beat: the model time under the cost model with a perfect prefix cache, plus the tool time, plus one round trip and the transfer of the new bytes on each turn. ÷ floor = 1.00× would be perfect.</li>")
            .Append("<li>Speed-up = http-stateless e2e ÷ ws e2e (both medians over repetitions). Within ±5% we call it <i>no meaningful difference</i>.</li>")
            .Append("<li>Server overhead = parse + resolve + render + validate, from the server's own stage timings; it excludes model time.</li>")
            .Append("<li>Hover a bar, box, dot or line for its exact numbers. Charts are drawn from the per-turn samples (turns_detail); the table holds the medians.</li>")
            .Append("</ul>");
        return sb.ToString();
    }

    private static string Plural(int n, string noun) => $"{Int(n)} {noun}{(n == 1 ? "" : "s")}";

    private const string Css = """
        :root{--fg:#1d1d1f;--muted:#5f6368;--line:#d9dce1;--bg:#fff;--soft:#f5f6f8}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
        main{max-width:1290px;margin:0 auto;padding:24px 28px 48px}
        h1{font-size:26px;margin:0 0 4px}
        h2{font-size:20px;margin:36px 0 8px;padding-top:12px;border-top:1px solid var(--line)}
        h3{font-size:16px;margin:18px 0 6px}
        .meta,.caption{color:var(--muted);font-size:13.5px;margin:4px 0 10px;max-width:980px}
        .warn{background:#fff4e5;border-left:4px solid #D55E00;padding:8px 12px}
        .heads{display:flex;flex-wrap:wrap;gap:28px;align-items:flex-start}
        table.head{border-collapse:separate;border-spacing:6px}
        table.head caption{text-align:left;font-weight:600;font-size:15px;padding-left:6px}
        table.head th{font-weight:500;font-size:13px;color:var(--muted);text-align:left;padding:0 6px}
        td.big{min-width:170px;padding:10px 14px;border-radius:8px;background:var(--soft);vertical-align:top}
        td.big span{display:block}
        td.big .n{font-size:38px;font-weight:700;line-height:1.1;font-variant-numeric:tabular-nums}
        td.big .v{font-size:13px;font-weight:600}
        td.big .f{font-size:13px;color:var(--muted);margin-top:4px}
        td.big .f b{font-size:20px;color:var(--fg);font-variant-numeric:tabular-nums;margin-left:4px}
        td.win{background:#e3eff8}td.win .n,td.win .v{color:#005a8c}
        td.loss{background:#fbeae1}td.loss .n,td.loss .v{color:#a64400}
        td.even .n,td.even .v,td.na{color:var(--muted)}
        .reading{max-width:980px;margin-bottom:6px}
        .points{max-width:980px;margin:0;padding-left:20px}.points li{margin:2px 0}
        table.head thead th{background:none;border:0}
        .legend{display:flex;flex-wrap:wrap;gap:6px 18px;font-size:13.5px;margin:6px 0}
        .legend span{display:inline-flex;align-items:center;gap:6px}
        .sw{display:inline-block;width:14px;height:14px;border-radius:3px;vertical-align:-2px;margin-right:5px}
        .legend .sw{margin:0}
        .mk-floor{display:inline-block;width:3px;height:16px;background:#111}
        .mk-whisker{display:inline-block;width:22px;height:8px;border:1.5px solid #333;border-top:0;border-bottom:0;background:linear-gradient(#333,#333) center/100% 1.5px no-repeat}
        .mk-line{display:inline-block;width:24px;height:0;border-top:2.5px solid #555}
        .panels{display:grid;grid-template-columns:repeat(var(--cols,3),minmax(0,1fr));gap:10px 22px}
        .panel{border:1px solid var(--line);border-radius:8px;padding:8px 10px 2px}
        .panel-title{font-weight:600;font-size:14px}
        .panel-sub{color:var(--muted);font-size:12.5px}
        .pair{display:grid;grid-template-columns:3fr 2fr;gap:22px}
        svg.chart{display:block;width:100%;height:auto;overflow:visible}
        svg.chart text{font-family:inherit;fill:#333}
        svg.chart .tick{font-size:11px;fill:#555}
        svg.chart .axis-label{font-size:12px;fill:#333}
        svg.chart .arm{font-size:12px;fill:#333}
        svg.chart .value{font-size:12px;font-weight:600;fill:#222}
        svg.chart .note{font-size:11.5px;fill:#888;font-style:italic}
        svg.chart .grid{stroke:#eceef1;stroke-width:1}
        svg.chart .axis{stroke:#9aa0a6;stroke-width:1}
        svg.chart .whisker{stroke:#222;stroke-width:1.4}
        svg.chart .floor{stroke:#111;stroke-width:3}
        svg.chart .median{stroke:#111;stroke-width:2}
        svg.chart .box{fill-opacity:.55}
        svg.chart .outlier{fill-opacity:.6}
        svg.chart .pt{fill-opacity:.28}
        .empty{color:var(--muted);font-style:italic}
        .scroll{overflow-x:auto;border:1px solid var(--line);border-radius:8px}
        table{border-collapse:collapse;font-size:13px}
        table.runs{font-size:12px;white-space:nowrap}
        table.runs th,table.runs td{padding:3px 5px}
        th,td{padding:4px 8px;text-align:left}
        thead th{background:var(--soft);font-weight:600;border-bottom:1px solid var(--line)}
        table.runs thead th{position:sticky;top:0}
        table.runs tbody tr:nth-child(even) td{background:#fafbfc}
        tr.group th{background:#fff;border-top:1px solid var(--line);padding-top:10px;font-size:13px}
        tr.group th span{font-weight:400;color:var(--muted);margin-left:10px}
        table.runs thead th{white-space:normal;vertical-align:bottom;line-height:1.25}
        .num{text-align:right;font-variant-numeric:tabular-nums}
        .fail{color:#a64400}
        .cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:8px 32px}
        .formula{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;background:var(--soft);padding:8px 12px;border-radius:6px;display:inline-block}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;font-size:14px}
        dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
        code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;word-break:break-all}
        .howto{max-width:980px;font-size:14px}
        @media (max-width:980px){.panels{grid-template-columns:repeat(2,minmax(0,1fr))}}
        @media (max-width:760px){.pair,.panels{grid-template-columns:1fr}main{padding:12px}}
        @media print{body{font-size:11pt}main{max-width:none;padding:0}h2{break-after:avoid}.panel,.pair,table.head,svg{break-inside:avoid}
          .scroll{overflow:visible;border:0}table.runs{font-size:7pt;white-space:normal}td.big,.panel{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
        """;
}
