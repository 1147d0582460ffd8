using System.CommandLine;
using System.Reflection;
using System.Text.Json;
using Loopwire.Bench.Hosting;
using Loopwire.Bench.Overhead;
using Spectre.Console;

namespace Loopwire.Cli;

/// <summary><c>loopwire bench ...</c></summary>
internal static class BenchCommands
{
    public static Command Create()
    {
        var bench = MatrixCommand.Create();
        bench.Subcommands.Add(OverheadCommand());
        bench.Subcommands.Add(MultiAgentCommand.Create());
        bench.Subcommands.Add(LoadCommand.Create());
        bench.Subcommands.Add(LoadCommand.CeilingCommand());
        bench.Subcommands.Add(MatrixCommand.ReportCommand());
        return bench;
    }

    /// <summary>How to start this same program as <c>loopwire serve</c> in a child process.</summary>
    internal static ServerCommand SelfCommand()
    {
        string processPath = Environment.ProcessPath ?? "dotnet";
        string entry = Assembly.GetEntryAssembly()?.Location ?? typeof(BenchCommands).Assembly.Location;
        bool viaDotnet = Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return viaDotnet ? new ServerCommand(processPath, [entry]) : new ServerCommand(processPath, []);
    }

    private static Command OverheadCommand()
    {
        var sizes = new Option<string>("--sizes") { Description = "History sizes in tokens, comma-separated.", DefaultValueFactory = _ => "1000,10000,50000,100000" };
        var arms = new Option<string>("--arms") { Description = "Arms: http-stateless, http-chained, ws-full, ws.", DefaultValueFactory = _ => string.Join(',', OverheadBenchmark.AllArms) };
        var turns = new Option<int>("--turns") { Description = "Measured turns per cell.", DefaultValueFactory = _ => 15 };
        var baseUrl = UrlOption.Create("--base-url", "Measure a running server instead of starting one.");
        var apiKey = new Option<string?>("--api-key") { Description = "Bearer key for --base-url." };
        var output = new Option<string?>("--out") { Description = "Write overhead.json into this directory." };
        var store = new Option<string?>("--store")
        {
            Description = "Store of the server it starts: sqlite:PATH (default: a temporary SQLite file), memory, or postgres:CONNECTION STRING.",
        };
        var cmd = new Command("overhead", "Server overhead per turn (last request byte to model call) vs history length, per transport.")
        {
            sizes, arms, turns, baseUrl, apiKey, output, store,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var settings = new OverheadSettings
            {
                HistoryTokens = parse.GetValue(sizes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToList(),
                Arms = parse.GetValue(arms)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
                Turns = parse.GetValue(turns),
            };
            var unknown = settings.Arms.Except(OverheadBenchmark.AllArms).ToList();
            if (unknown.Count > 0 || settings.Turns < 1)
            {
                await Console.Error.WriteLineAsync($"loopwire bench overhead: unknown arm(s) {string.Join(", ", unknown)}; known: {string.Join(", ", OverheadBenchmark.AllArms)}; --turns must be >= 1.");
                return 2;
            }

            ServerProcess? server = null;
            string? tempDir = null;
            try
            {
                Uri url;
                if (parse.GetValue(baseUrl) is { } given)
                {
                    url = given;
                }
                else
                {
                    tempDir = Directory.CreateTempSubdirectory("loopwire-bench-").FullName;
                    AnsiConsole.MarkupLine("[grey]Starting the server in its own process…[/]");
                    string storeSpec = parse.GetValue(store) ?? $"sqlite:{Path.Combine(tempDir, "bench.db")}";
                    AnsiConsole.MarkupLine($"[grey]Store: {Markup.Escape(Server.Hosting.LoopwireHost.DescribeStore(storeSpec))}[/]");
                    server = await ServerProcess.StartAsync(SelfCommand(), ["--port", "0", "--store", storeSpec], TimeSpan.FromSeconds(60), ct);
                    url = server.BaseUrl;
                }

                OverheadResult result = null!;
                await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn())
                    .StartAsync(async p =>
                    {
                        var task = p.AddTask("overhead", maxValue: settings.HistoryTokens.Count * settings.Arms.Count);
                        bool started = false;
                        result = await OverheadBenchmark.RunAsync(url, parse.GetValue(apiKey), settings, new SyncProgress(m =>
                        {
                            // A report announces the next cell, so the previous one is done.
                            task.Description = Markup.Escape(m);
                            task.Increment(started ? 1 : 0);
                            started = true;
                        }), ct);
                        task.Value = task.MaxValue;
                    });
                Render(result, settings);
                if (parse.GetValue(output) is { } dir)
                {
                    Directory.CreateDirectory(dir);
                    string file = Path.Combine(dir, "overhead.json");
                    await File.WriteAllBytesAsync(file, JsonSerializer.SerializeToUtf8Bytes(result, CliJsonContext.Default.OverheadResult), ct);
                    AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(file)}[/]");
                }

                return 0;
            }
            catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or System.Net.WebSockets.WebSocketException)
            {
                await Console.Error.WriteLineAsync($"loopwire bench overhead: {ex.Message}");
                return 1;
            }
            finally
            {
                if (server is not null)
                {
                    await server.DisposeAsync();
                }

                if (tempDir is not null)
                {
                    try
                    {
                        Directory.Delete(tempDir, recursive: true);
                    }
                    catch (IOException)
                    {
                    }
                }
            }
        });
        return cmd;
    }

    private static void Render(OverheadResult result, OverheadSettings settings)
    {
        var table = new Table().Title($"Server overhead per turn, ms (median, p90) — model {result.Model}, {result.Machine}");
        table.AddColumn("history (prompt tokens)");
        foreach (var arm in settings.Arms)
        {
            table.AddColumn(new TableColumn(arm).RightAligned());
        }

        foreach (var size in settings.HistoryTokens)
        {
            var row = new List<string>();
            var cells = result.Cells.Where(c => c.TargetHistoryTokens == size).ToList();
            row.Add($"{size:N0} ({cells.Select(c => c.PromptTokensMedian).DefaultIfEmpty().Max():N0})");
            foreach (var arm in settings.Arms)
            {
                var c = cells.FirstOrDefault(x => x.Arm == arm);
                row.Add(c is null ? "-" : $"{c.OverheadMsMedian:F3} ({c.OverheadMsP90:F3})\n[grey]{c.TokensRenderedMedian:N0} tok rendered, {c.RequestBytesMedian:N0} B sent[/]");
            }

            table.AddRow(row.ToArray());
        }

        AnsiConsole.Write(table);
        var ws = result.Cells.Where(c => c.Arm == "ws").OrderBy(c => c.TargetHistoryTokens).ToList();
        if (ws.Count >= 2)
        {
            AnsiConsole.MarkupLine($"ws at {ws[^1].TargetHistoryTokens:N0} / ws at {ws[0].TargetHistoryTokens:N0}: [bold]{ws[^1].OverheadMsMedian / ws[0].OverheadMsMedian:F2}×[/] (flat = 1.0)");
        }

        foreach (var arm in settings.Arms.Where(a => a != "ws"))
        {
            var a = result.Cells.Where(c => c.Arm == arm).MaxBy(c => c.TargetHistoryTokens);
            var w = ws.LastOrDefault(c => c.TargetHistoryTokens == a?.TargetHistoryTokens);
            if (a is not null && w is not null && w.OverheadMsMedian > 0)
            {
                AnsiConsole.MarkupLine($"{arm} / ws at {a.TargetHistoryTokens:N0} tokens: [bold]{a.OverheadMsMedian / w.OverheadMsMedian:F1}×[/]");
            }
        }
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; posts to the thread pool and can reorder).</summary>
    private sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
