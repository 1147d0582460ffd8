using System.Text.RegularExpressions;
using System.Xml.Linq;
using Loopwire.Bench.Report;
using Loopwire.Bench.Results;

namespace Loopwire.Bench.Tests.Report;

public sealed partial class HtmlReportWriterTests
{
    private static readonly string[] SectionTitles =
    [
        "Headline", "Honest reading", "End-to-end time by arm", "Server overhead per turn vs history length",
        "Time to first token", "Bytes per turn", "All runs", "Cost model", "Networks", "How to read this",
    ];

    [Fact]
    public void Render_SyntheticResults_EverySvgIsWellFormedXml()
    {
        var html = HtmlReportWriter.Render(SyntheticResults.Create());

        var svgs = SvgBlock().Matches(html).Select(m => m.Value).ToList();

        // 8 e2e panels + 1 overhead + 4 TTFT panels + 2 scenarios × (sent, received).
        Assert.Equal(17, svgs.Count);
        Assert.All(svgs, svg => Assert.Equal("svg", XDocument.Parse(svg).Root!.Name.LocalName));
        Assert.Equal(CountOf(html, "<svg"), CountOf(html, "</svg>"));
        Assert.Equal(CountOf(html, "<table"), CountOf(html, "</table>"));
        Assert.Equal(CountOf(html, "<section"), CountOf(html, "</section>"));
    }

    [Fact]
    public void Render_SyntheticResults_HasNoExternalReferencesOrScript()
    {
        var html = HtmlReportWriter.Render(SyntheticResults.Create());

        foreach (var banned in new[] { "http://", "https://", "//cdn", "<script", "<link", "@import", "url(", " src=" })
        {
            Assert.DoesNotContain(banned, html, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Render_SyntheticResults_ContainsArmsTitlesAndData()
    {
        var html = HtmlReportWriter.Render(SyntheticResults.Create());

        Assert.All(SyntheticResults.Arms, arm => Assert.Contains($">{arm}<", html, StringComparison.Ordinal));
        Assert.All(SectionTitles, title => Assert.Contains(title, html, StringComparison.Ordinal));
        Assert.Contains("TTFT = base latency + uncached prompt tokens ÷ prefill rate", html, StringComparison.Ordinal);
        Assert.Contains("loopwire bench --scenarios", html, StringComparison.Ordinal);
        Assert.Contains("2025-06-01T12:00:00Z", html, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SyntheticResults_ArmsInFixedOrderWithFixedColours()
    {
        var results = SyntheticResults.Create();
        var shuffled = results with { Runs = [.. results.Runs.OrderBy(r => r.Arm == "ws" ? 0 : 1).ThenByDescending(r => r.Arm, StringComparer.Ordinal)] };

        var html = HtmlReportWriter.Render(shuffled);

        var legend = html[html.IndexOf("<div class=\"legend\">", StringComparison.Ordinal)..];
        var positions = SyntheticResults.Arms.Select(a => legend.IndexOf($">{a}<", StringComparison.Ordinal)).ToList();
        Assert.Equal(positions.Order(), positions);
        Assert.Contains("background:#0072B2\"></i>ws<", html, StringComparison.Ordinal);
        Assert.Contains("background:#D55E00\"></i>http-stateless<", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ScenarioNameWithScriptTag_IsHtmlEncoded()
    {
        var html = HtmlReportWriter.Render(SyntheticResults.Create(firstScenarioName: "evil<script>alert('x')</script>&co"));

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("evil&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;co", html, StringComparison.Ordinal);
        Assert.All(SvgBlock().Matches(html), m => XDocument.Parse(m.Value));
    }

    [Fact]
    public void Render_SyntheticResults_HonestReadingNamesWinsAndTies()
    {
        var html = HtmlReportWriter.Render(SyntheticResults.Create());

        var section = Regex.Match(html, "<h3>Honest reading</h3>(.*?)</section>", RegexOptions.Singleline).Groups[1].Value;
        var reading = Regex.Replace(section, "<[^>]+>", "");
        Assert.Contains("By model: sim-burst", reading, StringComparison.Ordinal);
        Assert.Contains("faster models gain more", reading, StringComparison.Ordinal);
        Assert.Contains("No meaningful difference", reading, StringComparison.Ordinal);
        Assert.Contains("transport alone", reading, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WithoutWsArm_ShowsRatiosAsNa()
    {
        var results = SyntheticResults.Create();
        results = results with { Runs = [.. results.Runs.Where(r => r.Arm != "ws").Select(r => r with { RatioVsWs = null })] };

        var html = HtmlReportWriter.Render(results);

        Assert.Contains("<span class=\"n\">n/a</span>", html, StringComparison.Ordinal);
        Assert.Contains("ws vs http-stateless: n/a", html, StringComparison.Ordinal);
        Assert.Contains("speed-up is n/a", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">n/a</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(">ws<", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SingleRepetition_RendersWithoutWhiskers()
    {
        var html = HtmlReportWriter.Render(SyntheticResults.Create(repetitions: 1));

        Assert.DoesNotContain("class=\"whisker\"/>", html, StringComparison.Ordinal);
        Assert.All(SvgBlock().Matches(html), m => XDocument.Parse(m.Value));
    }

    [Fact]
    public void Render_ZeroBytesAndZeroTimes_RendersFiniteNumbers()
    {
        var results = SyntheticResults.Create(repetitions: 1);
        results = results with
        {
            Runs = [.. results.Runs.Select(r => r with
            {
                BytesUp = 0, BytesDown = 0, E2eMsMedian = 0, E2eMsMin = 0, E2eMsMax = 0, FloorMs = 0, RatioVsFloor = 0, RatioVsWs = null,
                TurnsDetail = [.. r.TurnsDetail.Select(rep => (IReadOnlyList<TurnSample>)[.. rep.Select(t => t with { BytesSent = 0, BytesReceived = 0, TtftMs = 0, ServerOverheadMs = 0 })])],
            })],
        };

        var html = HtmlReportWriter.Render(results);

        Assert.DoesNotContain("NaN", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", html, StringComparison.Ordinal);
        Assert.All(SvgBlock().Matches(html), m => XDocument.Parse(m.Value));
    }

    [Fact]
    public void Render_EmptyTurnsDetail_SaysThereAreNoSamples()
    {
        var results = SyntheticResults.Create();
        results = results with { Runs = [.. results.Runs.Select(r => r with { TurnsDetail = [] })] };

        var html = HtmlReportWriter.Render(results);

        Assert.Contains("No per-turn samples", html, StringComparison.Ordinal);
        Assert.Contains("End-to-end time by arm", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NoRunsAndNoSetup_RendersSkeleton()
    {
        var results = new BenchResults
        {
            CreatedAt = "",
            Machine = new MachineInfo(0, "", "", 0),
            Command = "",
            CostModel = [],
            Networks = [],
            Runs = [],
        };

        var html = HtmlReportWriter.Render(results);

        Assert.Contains("No runs.", html, StringComparison.Ordinal);
        Assert.EndsWith("</html>\n", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_NewDirectory_WritesRenderedReport()
    {
        var dir = Path.Combine(Path.GetTempPath(), "loopwire-report-test-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(dir, "report.html");
        try
        {
            var results = SyntheticResults.Create(repetitions: 1);

            await HtmlReportWriter.WriteAsync(results, path);

            Assert.Equal(HtmlReportWriter.Render(results), await File.ReadAllTextAsync(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(1.06, "ws faster")]
    [InlineData(1.0496, "ws faster")]
    [InlineData(1.04, "no meaningful difference")]
    [InlineData(0.96, "no meaningful difference")]
    [InlineData(0.951, "ws slower")]
    [InlineData(null, "n/a")]
    public void Verdict_RatioAtShownPrecision_FollowsFivePercentBand(double? speedUp, string expected) =>
        Assert.Equal(expected, Narrative.Verdict(speedUp));

    private static int CountOf(string text, string what) => Regex.Matches(text, Regex.Escape(what)).Count;

    [GeneratedRegex("<svg.*?</svg>", RegexOptions.Singleline)]
    private static partial Regex SvgBlock();
}
