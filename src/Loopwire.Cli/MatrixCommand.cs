using System.CommandLine;
using System.Text.Json;
using Loopwire.Agent.Scenarios;
using Loopwire.Agent.Tools;
using Loopwire.Bench.Hosting;
using Loopwire.Bench.Matrix;
using Loopwire.Bench.Network;
using Loopwire.Bench.Report;
using Loopwire.Bench.Results;
using Spectre.Console;

namespace Loopwire.Cli;

/// <summary><c>loopwire bench</c>: the agent over every transport arm, model profile and emulated network.</summary>
internal static class MatrixCommand
{
    /// <summary>The quick matrix (the default): the cells that answer the question, in a few minutes on 2 cores.</summary>
    /// <remarks><c>http-polling</c> runs in the long-haul cell only (the question it answers needs one long task).</remarks>
    private static readonly IReadOnlyList<(string Scenario, string Model, string Network, IReadOnlyList<string> Arms)> QuickCells =
    [
        ("long-haul", "sim-spark", "wan", BenchArms.All),
        ("fix-multi", "sim-spark", "lan", BenchArms.Streaming),
        ("fix-small", "sim-gpt5", "wan", BenchArms.Streaming),
    ];

    public static Command Create()
    {
        var full = new Option<bool>("--full") { Description = "The whole matrix: every scenario × model × network × arm (long; see --help)." };
        var scenario = new Option<string?>("--scenario") { Description = "Scenarios, comma-separated: fix-small, fix-multi, long-haul." };
        var arms = new Option<string?>("--arms") { Description = "Arms, comma-separated: http-stateless, http-chained, http-polling, ws-full, ws, grpc." };
        var pollInterval = new Option<int>("--poll-interval")
        {
            Description = "Milliseconds between the http-polling arm's GET /v1/responses/{id} polls.",
            DefaultValueFactory = _ => 250,
        };
        var grpcUrl = UrlOption.Create("--grpc-url", "The gRPC address of the server given by --base-url (its HTTP/2 cleartext port); default: --base-url.");
        var models = new Option<string?>("--models") { Description = "Model profiles, comma-separated: sim-gpt5, sim-spark, sim-burst." };
        var networks = new Option<string?>("--networks") { Description = "Networks, comma-separated: loopback, lan, wan, mobile." };
        var reps = new Option<int>("--repetitions") { Description = "Repetitions per cell (medians and spread over them).", DefaultValueFactory = _ => 1 };
        var tools = new Option<string>("--tools") { Description = "mock (recorded results, same latency in every arm) or real.", DefaultValueFactory = _ => "mock" };
        var output = new Option<string>("--out") { Description = "Directory for results.json and report.html.", DefaultValueFactory = _ => "bench-out" };
        var seed = new Option<int>("--seed") { Description = "Seed of tool latencies and connection drops.", DefaultValueFactory = _ => 1 };
        var baseUrl = UrlOption.Create("--base-url", "Measure a running Loopwire server (or a cluster behind a load balancer) instead of starting one.");
        var apiKey = new Option<string?>("--api-key") { Description = "Bearer key for --base-url." };
        var cmd = new Command("bench",
            "Run the coding agent over HTTP and WebSocket arms on the simulated model through an emulated network, and write " +
            "DIR/results.json and DIR/report.html. Without options: a quick matrix (long-haul/sim-spark/wan, fix-multi/sim-spark/lan, " +
            "fix-small/sim-gpt5/wan; every arm, http-polling in the long-haul cell only).")
        {
            full, scenario, arms, pollInterval, models, networks, reps, tools, output, seed, baseUrl, grpcUrl, apiKey,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            List<string> Split(Option<string?> o) =>
                parse.GetValue(o)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList() ?? [];
            var selScenarios = Split(scenario);
            var selArms = Split(arms);
            var selModels = Split(models);
            var selNetworks = Split(networks);
            string toolMode = parse.GetValue(tools)!;
            int repetitions = parse.GetValue(reps);
            var errors = new List<string>();
            errors.AddRange(selArms.Except(BenchArms.All).Select(a => $"unknown arm '{a}' (known: {string.Join(", ", BenchArms.All)})"));
            errors.AddRange(selModels.Except(["sim-gpt5", "sim-spark", "sim-burst", "sim-instant"]).Select(m => $"unknown model profile '{m}'"));
            errors.AddRange(selNetworks.Where(n => !LinkProfile.BuiltIn.Any(p => p.Name == n)).Select(n => $"unknown network '{n}' (known: loopback, lan, wan, mobile)"));
            if (toolMode is not ("mock" or "real"))
            {
                errors.Add("--tools must be mock or real");
            }

            if (repetitions < 1)
            {
                errors.Add("--repetitions must be >= 1");
            }

            int pollMs = parse.GetValue(pollInterval);
            if (pollMs < 1)
            {
                errors.Add("--poll-interval must be >= 1 (milliseconds)");
            }

            List<Sample> samples;
            try
            {
                samples = SampleLocator.GetSamples().ToList();
                errors.AddRange(selScenarios.Where(s => samples.All(x => x.Name != s)).Select(s => $"unknown scenario '{s}' (known: {string.Join(", ", samples.Select(x => x.Name))})"));
            }
            catch (Exception ex) when (ex is DirectoryNotFoundException or InvalidOperationException)
            {
                errors.Add(ex.Message);
                samples = [];
            }

            if (errors.Count > 0)
            {
                await Console.Error.WriteLineAsync("loopwire bench: " + string.Join("; ", errors) + ".");
                return 2;
            }

            // The matrix: explicit choices win; otherwise --full takes everything and the default is the quick set.
            bool quick = !parse.GetValue(full) && selScenarios.Count + selModels.Count + selNetworks.Count == 0;
            var plans = new List<BenchSettings>();
            var byName = samples.ToDictionary(s => s.Name);
            var scenarios = byName.Keys.ToList();
            Func<string, int, IToolRunner> factory = toolMode == "real"
                ? (name, s) => new WorkspaceRunner(byName[name])
                : (name, s) => new RecordedToolRunner(byName[name].LoadRecording(), LatencyModel.Default, s);
            string TaskFor(string name) => $"{byName[name].LoadScenario().Task}\n\n(scenario: {name})";
            var armList = selArms.Count > 0 ? selArms : BenchArms.All.ToList();

            // A running server's gRPC port is not its HTTP port (cleartext HTTP/2 needs a port of its own): without
            // --grpc-url the default matrix leaves the grpc arm out rather than fail on it.
            bool skipGrpc = parse.GetValue(baseUrl) is not null && parse.GetValue(grpcUrl) is null && selArms.Count == 0;
            if (quick)
            {
                plans.AddRange(QuickCells.Select(c => Plan([c.Scenario], [c.Model], [LinkProfile.Parse(c.Network)],
                    selArms.Count > 0 ? selArms : c.Arms)));
            }
            else
            {
                plans.Add(Plan(
                    selScenarios.Count > 0 ? selScenarios : parse.GetValue(full) ? scenarios : ["fix-multi"],
                    selModels.Count > 0 ? selModels : parse.GetValue(full) ? ["sim-gpt5", "sim-spark", "sim-burst"] : ["sim-spark"],
                    (selNetworks.Count > 0 ? selNetworks : parse.GetValue(full) ? ["loopback", "lan", "wan", "mobile"] : ["wan"]).Select(LinkProfile.Parse).ToList()));
            }

            BenchSettings Plan(IReadOnlyList<string> sc, IReadOnlyList<string> mo, IReadOnlyList<LinkProfile> ne, IReadOnlyList<string>? cellArms = null) => new()
            {
                Scenarios = sc,
                Models = mo,
                Networks = ne,
                Arms = [.. (cellArms ?? armList).Where(a => !(skipGrpc && a == "grpc"))],
                PollInterval = TimeSpan.FromMilliseconds(pollMs),
                Repetitions = repetitions,
                Tools = toolMode,
                Seed = parse.GetValue(seed),
                ToolRunnerFactory = factory,
                TaskFor = TaskFor,
                VerifyTests = toolMode == "real" ? (runner, token) => ((WorkspaceRunner)runner).VerifyAsync(token) : null,
            };

            string outDir = Path.GetFullPath(parse.GetValue(output)!);
            string command = "loopwire " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            string tempDir = Directory.CreateTempSubdirectory("loopwire-bench-").FullName;
            ServerProcess? server = null;
            try
            {
                Uri target;
                Uri? grpc;
                if (parse.GetValue(baseUrl) is { } given)
                {
                    AnsiConsole.MarkupLine($"[grey]Measuring the running server at {Markup.Escape(given.ToString())}…[/]");
                    if (skipGrpc)
                    {
                        AnsiConsole.MarkupLine("[grey]No --grpc-url: the grpc arm is left out.[/]");
                    }
                    target = given;
                    grpc = parse.GetValue(grpcUrl);
                }
                else
                {
                    AnsiConsole.MarkupLine("[grey]Starting the Loopwire server in its own process (simulated model, SQLite store)…[/]");
                    server = await ServerProcess.StartAsync(BenchCommands.SelfCommand(),
                        ["--port", "0", "--grpc-port", "0", "--store", $"sqlite:{Path.Combine(tempDir, "bench.db")}"], TimeSpan.FromSeconds(90), ct);
                    target = server.BaseUrl;
                    grpc = server.GrpcUrl;
                }

                var runner = new BenchRunner(target, parse.GetValue(apiKey), grpc);
                var parts = new List<BenchResults>();
                int total = plans.Sum(p => p.CellCount * p.Repetitions);
                await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                        new ElapsedTimeColumn(), new RemainingTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        var overall = ctx.AddTask("matrix", maxValue: total);
                        var progress = new SpectreProgress(overall);
                        foreach (var plan in plans)
                        {
                            parts.Add(await runner.RunAsync(plan, command, progress, ct));
                        }

                        overall.Value = overall.MaxValue;
                        overall.Description = "done";
                    });

                var results = parts[0] with { Runs = parts.SelectMany(p => p.Runs).ToList(), Networks = parts.SelectMany(p => p.Networks).DistinctBy(n => n.Name).ToList() };
                Directory.CreateDirectory(outDir);
                string json = Path.Combine(outDir, "results.json");
                string html = Path.Combine(outDir, "report.html");
                await File.WriteAllBytesAsync(json, JsonSerializer.SerializeToUtf8Bytes(results, BenchResultsJsonContext.Default.BenchResults), ct);
                await HtmlReportWriter.WriteAsync(results, html, ct);
                RenderTable(results);
                AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(json)}[/] and [bold]{Markup.Escape(html)}[/]");
                return results.Runs.All(r => r.TestsPassed) ? 0 : 1;
            }
            catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or IOException)
            {
                await Console.Error.WriteLineAsync($"loopwire bench: {ex.Message}");
                if (server is not null)
                {
                    await Console.Error.WriteLineAsync(string.Join('\n', server.RecentLog.TakeLast(15)));
                }

                return 1;
            }
            finally
            {
                if (server is not null)
                {
                    await server.DisposeAsync();
                }

                try
                {
                    Directory.Delete(tempDir, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        });
        return cmd;
    }

    /// <summary><c>loopwire bench report</c>: re-render report.html from a results.json.</summary>
    public static Command ReportCommand()
    {
        var from = new Option<string>("--from") { Description = "A results.json written by loopwire bench.", Required = true };
        var output = new Option<string?>("--out") { Description = "Where to write report.html (default: next to results.json)." };
        var cmd = new Command("report", "Render report.html again from a results.json.") { from, output };
        cmd.SetAction(async (parse, ct) =>
        {
            string path = parse.GetValue(from)!;
            BenchResults? results;
            try
            {
                results = JsonSerializer.Deserialize(await File.ReadAllBytesAsync(path, ct), BenchResultsJsonContext.Default.BenchResults);
            }
            catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"loopwire bench report: cannot read {path}: {ex.Message}");
                return 2;
            }

            if (results is null)
            {
                await Console.Error.WriteLineAsync($"loopwire bench report: {path} holds no results.");
                return 2;
            }

            string html = parse.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "report.html");
            await HtmlReportWriter.WriteAsync(results, html, ct);
            Console.WriteLine($"Wrote {html}");
            return 0;
        });
        return cmd;
    }

    private static void RenderTable(BenchResults results)
    {
        // One narrow table per cell, so it stays readable in an 80-column terminal.
        foreach (var cell in results.Runs.GroupBy(r => (r.Scenario, r.Model, r.Network)))
        {
            var floor = cell.Select(r => r.FloorMs).DefaultIfEmpty().Min();
            var table = new Table().Border(TableBorder.Rounded)
                .Title($"{Markup.Escape(cell.Key.Scenario)} · {Markup.Escape(cell.Key.Model)} · {Markup.Escape(cell.Key.Network)}  (floor {floor / 1000:F2} s)");
            table.AddColumn(new TableColumn("arm").NoWrap());
            foreach (var h in new[] { "e2e", "÷ws", "÷floor", "TTFT", "MB up", "ovh/turn", "tests" })
            {
                table.AddColumn(new TableColumn(h).RightAligned().NoWrap());
            }

            foreach (var r in cell)
            {
                table.AddRow(r.Arm, $"{r.E2eMsMedian / 1000:F2} s", r.RatioVsWs is { } v ? $"{v:F2}x" : "n/a", $"{r.RatioVsFloor:F2}x",
                    $"{r.TtftMsMedian:F0} ms", $"{r.BytesUp / 1e6:F2}", $"{r.ServerOverheadMsMedian:F2} ms", r.TestsPassed ? "[green]pass[/]" : "[red]FAIL[/]");
            }

            AnsiConsole.Write(table);
        }
    }

    /// <summary>Real tools on a fresh copy of the sample; the tests are run for real at the end.</summary>
    private sealed class WorkspaceRunner : IToolRunner, IDisposable
    {
        private readonly Agent.Workspaces.Workspace _workspace;
        private readonly WorkspaceToolRunner _inner;

        public WorkspaceRunner(Sample sample)
        {
            _workspace = sample.CreateWorkspace();
            _inner = new WorkspaceToolRunner(_workspace, sample.LoadScenario());
        }

        public IReadOnlyList<Protocol.Requests.ToolDefinition> Definitions => _inner.Definitions;

        public Task<ToolResult> RunAsync(ToolCall call, CancellationToken cancellationToken = default) => _inner.RunAsync(call, cancellationToken);

        public async Task<bool> VerifyAsync(CancellationToken ct)
        {
            var r = await _inner.RunAsync(new ToolCall("verify", CodingTools.RunTests, "{}"), ct);
            return TestRunSummary.TryParse(r.Output, out var s) && s.Succeeded;
        }

        public void Dispose() => _workspace.Dispose();
    }

    private sealed class SpectreProgress(ProgressTask overall) : IBenchProgress
    {
        private string _run = "";
        private int _started;

        public void RunStarted(int index, int total, string scenario, string arm, string model, string network, int repetition)
        {
            // The matrix may be several plans; number the runs over all of them.
            _run = $"{++_started}/{overall.MaxValue:0} {scenario} · {model} · {network} · {arm}{(repetition > 1 ? $" · rep {repetition}" : "")}";
            overall.Description = Markup.Escape(_run);
        }

        public void TurnFinished(int turn, int toolCalls) => overall.Description = Markup.Escape($"{_run} · turn {turn + 1}");

        public void RunFinished(TimeSpan elapsed, bool testsPassed) => overall.Increment(1);
    }
}
