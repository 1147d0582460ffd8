using System.Text;
using System.Text.Json;
using Loopwire.TestKit;

namespace Loopwire.Server.Tests.Telemetry;

/// <summary><c>loopwire serve --log-format json</c>: one JSON object per log line, for log shippers.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class LogFormatTests
{
    [Fact]
    public async Task Serve_LogFormatJson_WritesEachLogEventAsOneJsonObject()
    {
        using var p = await LoopwireProcess.ServeAsync(["--store", "memory", "--default-model-profile", "sim-instant", "--log-format", "json"]);
        using var client = new HttpClient { BaseAddress = new Uri(p.Address!), Timeout = TimeSpan.FromSeconds(30) };

        // An incomplete response logs its line at Information (a completed one at Debug, below the default level).
        using var content = new StringContent("""{"model":"sim-instant","input":"hello","max_output_tokens":16}""", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri("/v1/responses", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();

        JsonElement? line = null;
        await Eventually.UntilAsync(() =>
        {
            line = p.Output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement)
                .FirstOrDefault(e => e.TryGetProperty("Category", out var c) && c.GetString() == "Loopwire.Engine.ResponseEngine") is { ValueKind: JsonValueKind.Object } e
                ? e : null;
            return line is not null;
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(10));

        Assert.True(line is not null, "No JSON log line for the response. Output:\n" + p.Output);
        Assert.Equal("Information", line.Value.GetProperty("LogLevel").GetString());
        Assert.True(line.Value.TryGetProperty("Timestamp", out _));
        Assert.True(line.Value.GetProperty("State").TryGetProperty("ResponseId", out _));
    }

    [Fact]
    public async Task Serve_UnknownLogFormat_ExitsWithAnErrorNamingTheValues()
    {
        using var p = LoopwireProcess.Start(["serve", "--port", "0", "--store", "memory", "--log-format", "xml"]);

        int? exit = await p.WaitForExitAsync(LoopwireProcess.StartTimeout);

        Assert.NotEqual(0, exit);
        Assert.Contains("json", p.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Loopwire listening on", p.Output, StringComparison.Ordinal);
    }
}
