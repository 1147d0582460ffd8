using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Loopwire.Server.Hosting;
using Loopwire.Server.Tests.WebSockets;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Telemetry;

/// <summary><c>GET /metrics</c>: Prometheus text with the names the issue fixes, behind the key, off, or on its own port.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class MetricsEndpointTests(ITestOutputHelper output)
{
    /// <summary>The names as Prometheus shows them (the exporter adds the unit and <c>_total</c>).</summary>
    internal static readonly string[] Names =
    [
        "gen_ai_server_request_duration_seconds_bucket",
        "gen_ai_server_time_to_first_token_seconds_bucket",
        "gen_ai_server_time_per_output_token_seconds_bucket",
        "loopwire_turn_stage_duration_seconds_bucket",
        "loopwire_continuations_total",
        "loopwire_tokens_rendered_total",
        "loopwire_tokens_input_total",
        "loopwire_websocket_connections",
        "loopwire_queue_depth",
    ];

    [Fact]
    public async Task Metrics_AfterTurnsOverHttpSseAndWebSocket_ServesEveryName()
    {
        await using var host = new TracedHost(output);
        await RunTurnsAsync(host, null);
        using var client = host.Client();

        var text = await ScrapeAsync(client);

        output.WriteLine(text);
        Assert.All(Names, n => Assert.Contains(n, text, StringComparison.Ordinal));
        Assert.Contains("source=\"cache\"", text, StringComparison.Ordinal);
        Assert.Contains("source=\"full\"", text, StringComparison.Ordinal);
        Assert.Contains("loopwire_transport=\"ws\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("zebra", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_IsValidPrometheusExposition_PromtoolAgrees()
    {
        string? promtool = FindOnPath("promtool");
        if (promtool is null)
        {
            // CI must have it (the Debian 'prometheus' package); a developer machine may not.
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase),
                "promtool is not on PATH, and CI=true: install the Debian package 'prometheus' in .ci/run.");
            output.WriteLine("promtool not on PATH: the exposition check did not run.");
            return;
        }

        await using var host = new TracedHost(output);
        await RunTurnsAsync(host, null);
        using var client = host.Client();
        var text = await ScrapeAsync(client);

        var psi = new ProcessStartInfo(promtool, ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        await p.StandardInput.WriteAsync(text);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync(WsTestHost.GuardToken());
        var stderr = p.StandardError.ReadToEndAsync(WsTestHost.GuardToken());
        await p.WaitForExitAsync(WsTestHost.GuardToken());

        Assert.True(p.ExitCode == 0, $"promtool check metrics: exit {p.ExitCode}\n{await stdout}\n{await stderr}");
    }

    [Fact]
    public async Task Metrics_WithApiKeys_NeedsAKeyOnTheMainListener()
    {
        await using var host = new TracedHost(output, ("Loopwire:ApiKeys:0", "sk-ops"));
        using var anonymous = host.Client();
        using var keyed = host.Client("sk-ops");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics", WsTestHost.GuardToken())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await keyed.GetAsync("/metrics", WsTestHost.GuardToken())).StatusCode);
    }

    [Fact]
    public async Task Metrics_Disabled_IsNotFound()
    {
        await using var host = new TracedHost(output, ("Loopwire:Metrics:Enabled", "false"));
        using var client = host.Client();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/metrics", WsTestHost.GuardToken())).StatusCode);
    }

    [Fact]
    public async Task Metrics_OnASeparatePort_ServesOnlyProbesAndMetricsThereWithoutAKey()
    {
        int port = FreePort();
        await using var server = await LoopbackServer.StartAsync(new Dictionary<string, string?>
        {
            ["Loopwire:DefaultModelProfile"] = WsJson.Instant,
            ["Loopwire:ApiKeys:0"] = "sk-ops",
            ["Loopwire:Metrics:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Loopwire:Metrics:Host"] = "127.0.0.1",
        }, WsTestHost.GuardToken());
        using var metricsPort = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = WsTestHost.Guard };
        using var main = new HttpClient { BaseAddress = server.BaseUrl, Timeout = WsTestHost.Guard };
        main.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk-ops");

        Assert.NotEqual(port, server.BaseUrl.Port);
        Assert.Equal(HttpStatusCode.OK, (await main.GetAsync("/v1/models", WsTestHost.GuardToken())).StatusCode);
        using var body = new StringContent($$"""{"model":"{{WsJson.Instant}}","input":"hi","store":false}""", System.Text.Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.OK, (await main.PostAsync("/v1/responses", body, WsTestHost.GuardToken())).StatusCode);
        Assert.Contains("loopwire_", await metricsPort.GetStringAsync("/metrics", WsTestHost.GuardToken()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await metricsPort.GetAsync("/readyz", WsTestHost.GuardToken())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await metricsPort.GetAsync("/v1/models", WsTestHost.GuardToken())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await main.GetAsync("/metrics", WsTestHost.GuardToken())).StatusCode);
    }

    /// <summary>An HTTP, an SSE (chained) and two WebSocket turns (the second a cache hit).</summary>
    internal static async Task RunTurnsAsync(TracedHost host, string? apiKey)
    {
        var (_, first) = await host.PostAsync(WsJson.Request(WsJson.Instant, true, [WsJson.User("zebra one")]), apiKey: apiKey);
        await host.PostAsync(WsJson.Request(WsJson.Instant, true, [WsJson.User("zebra two")], previousResponseId: first.GetProperty("id").GetString()),
            stream: true, apiKey: apiKey);
        await using var ws = await host.ConnectAsync(apiKey);
        var a = (await ws.RunAsync(WsJson.Request(WsJson.Instant, false, [WsJson.User("zebra three")])))[^1].GetProperty("response");
        await ws.RunAsync(WsJson.Request(WsJson.Instant, false, [WsJson.User("zebra four")], previousResponseId: a.GetProperty("id").GetString()));
    }

    private static async Task<string> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics", WsTestHost.GuardToken());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return await response.Content.ReadAsStringAsync(WsTestHost.GuardToken());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
