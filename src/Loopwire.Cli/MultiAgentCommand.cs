using System.CommandLine;
using Loopwire.Agent.Scenarios;
using Loopwire.Agent.Tools;
using Loopwire.Bench.Hosting;
using Loopwire.Bench.Matrix;
using Loopwire.Bench.Network;
using Spectre.Console;

namespace Loopwire.Cli;

/// <summary><c>loopwire bench multi-agent</c>: several sub-agents at once over a socket each, one socket with lanes, or HTTP.</summary>
internal static class MultiAgentCommand
{
    public static Command Create()
    {
        var agents = new Option<int>("--agents") { Description = "Sub-agents run in parallel.", DefaultValueFactory = _ => 3 };
        var scenario = new Option<string>("--scenario") { Description = "Each sub-agent's scenario.", DefaultValueFactory = _ => "fix-small" };
        var model = new Option<string>("--model") { Description = "Model (simulated profile).", DefaultValueFactory = _ => "sim-spark" };
        var network = new Option<string>("--network") { Description = "Link: loopback, lan, wan, mobile.", DefaultValueFactory = _ => "lan" };
        var baseUrl = UrlOption.Create("--base-url", "Measure a running server instead of starting one.");
        var apiKey = new Option<string?>("--api-key") { Description = "Bearer key for --base-url." };
        var cmd = new Command("multi-agent",
            "An orchestrator runs several sub-agents at once: a WebSocket per sub-agent vs one WebSocket with a lane per sub-agent vs HTTP.")
        {
            agents, scenario, model, network, baseUrl, apiKey,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var samples = SampleLocator.GetSamples().ToDictionary(s => s.Name);
            string name = parse.GetValue(scenario)!;
            if (!samples.TryGetValue(name, out var sample) || parse.GetValue(agents) < 1)
            {
                await Console.Error.WriteLineAsync($"loopwire bench multi-agent: unknown scenario '{name}' (known: {string.Join(", ", samples.Keys)}) or --agents < 1.");
                return 2;
            }

            var settings = new MultiAgentSettings
            {
                Agents = parse.GetValue(agents),
                Scenario = name,
                Model = parse.GetValue(model)!,
                Network = LinkProfile.Parse(parse.GetValue(network)!),
                ToolRunnerFactory = (_, seed) => new RecordedToolRunner(sample.LoadRecording(), LatencyModel.Default, seed),
                TaskFor = _ => $"{sample.LoadScenario().Task}\n\n(scenario: {name})",
            };
            ServerProcess? server = null;
            try
            {
                Uri url;
                if (parse.GetValue(baseUrl) is { } given)
                {
                    url = given;
                }
                else
                {
                    AnsiConsole.MarkupLine("[grey]Starting the server in its own process…[/]");
                    server = await ServerProcess.StartAsync(BenchCommands.SelfCommand(), ["--port", "0", "--store", "memory"], TimeSpan.FromSeconds(60), ct);
                    url = server.BaseUrl;
                }

                var rows = await MultiAgentBenchmark.RunAsync(url, parse.GetValue(apiKey), settings, ct);
                var table = new Table().Title($"{settings.Agents} × {name} in parallel · {settings.Model} · {settings.Network.Name}");
                foreach (var column in new[] { "arm", "connections opened", "bytes up", "bytes down", "e2e", "turns", "all answered" })
                {
                    table.AddColumn(column);
                }

                foreach (var r in rows)
                {
                    table.AddRow(r.Arm, $"{r.ConnectionsOpened}", $"{r.BytesUp / 1e6:F3} MB", $"{r.BytesDown / 1e6:F3} MB", $"{r.E2eMs / 1000:F2} s",
                        $"{r.Turns}", r.AllAnswered ? "yes" : "[red]no[/]");
                }

                AnsiConsole.Write(table);
                return rows.All(r => r.AllAnswered) ? 0 : 1;
            }
            catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or System.Net.WebSockets.WebSocketException)
            {
                await Console.Error.WriteLineAsync($"loopwire bench multi-agent: {ex.Message}");
                return 1;
            }
            finally
            {
                if (server is not null)
                {
                    await server.DisposeAsync();
                }
            }
        });
        return cmd;
    }
}
