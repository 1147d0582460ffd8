using System.CommandLine;
using System.Text.Json;
using Loopwire.Bench.Hosting;
using Loopwire.Bench.Load;
using Spectre.Console;

namespace Loopwire.Cli;

/// <summary><c>loopwire bench load</c> and the ceiling endpoint it starts (<c>loopwire bench ceiling</c>, hidden).</summary>
internal static class LoadCommand
{
    public static Command Create()
    {
        var defaults = new LoadSettings();
        var sessions = new Option<int>("--sessions") { Description = "Concurrent sessions per arm.", DefaultValueFactory = _ => defaults.Sessions };
        var turns = new Option<int>("--turns") { Description = "Measured continuation turns per session.", DefaultValueFactory = _ => defaults.Turns };
        var history = new Option<int>("--history-tokens") { Description = "History each session starts with, in tokens.", DefaultValueFactory = _ => defaults.HistoryTokens };
        var model = new Option<string>("--model") { Description = "Model (a simulated profile when the bench starts the server).", DefaultValueFactory = _ => defaults.Model };
        var arms = new Option<string>("--arms") { Description = "Arms: ws, http-chained, http-stateless.", DefaultValueFactory = _ => string.Join(',', LoadSettings.AllArms) };
        var ceiling = new Option<bool>("--ceiling") { Description = "Also replay the ws arm's frames against a raw Kestrel WebSocket endpoint (its own process) and report Loopwire ÷ ceiling." };
        var repeats = new Option<int>("--repeats")
        {
            Description = "With --ceiling: measure the ws arm and the ceiling alternately N times in this run and report the median ratios (1-20).",
            DefaultValueFactory = _ => defaults.Repeats,
        };
        var hold = new Option<int?>("--hold") { Description = "Instead of the arms: open N WebSocket sessions with one store:false response of --history-tokens each, hold them, report RSS per session." };
        var sharedHistory = new Option<bool>("--shared-history")
        {
            Description = "With --hold: every session sends the same history (the server's caches then share its items and tokens) instead of one of its own.",
        };
        var baseUrl = UrlOption.Create("--base-url", "Load a running server instead of starting one (figures from its /metrics).");
        var apiKey = new Option<string?>("--api-key") { Description = "Bearer key for --base-url." };
        var warmupRounds = new Option<int>("--warmup-rounds")
        {
            Description = "At most N warm-up rounds of 10 turns per session, on sessions of their own, until the server is warm (its JIT compiled at most 5 methods in the last second of rounds and its CPU per turn settled); 0: none.",
            DefaultValueFactory = _ => defaults.WarmupRounds,
        };
        var gc = new Option<string>("--gc")
        {
            Description = "The garbage collector of the servers the bench starts (Loopwire's and the ceiling's): server, as 'loopwire serve' runs, or workstation.",
            DefaultValueFactory = _ => "server",
        };
        gc.AcceptOnlyFromAmong("server", "workstation");
        var output = new Option<string>("--out") { Description = "Directory for load.json (hold.json with --hold).", DefaultValueFactory = _ => "bench-out" };
        var cmd = new Command("load", "Throughput: concurrent sessions of continuation turns per transport; server CPU, memory and GC per turn.")
        {
            sessions, turns, history, model, arms, ceiling, repeats, hold, sharedHistory, baseUrl, apiKey, warmupRounds, gc, output,
        };
        cmd.Validators.Add(r =>
        {
            if (r.GetValue(hold) is { } h && (h < 1 || h > 1_000_000))
            {
                r.AddError($"--hold must be between 1 and 1000000, got {h}.");
            }

            if (r.GetValue(sharedHistory) && r.GetValue(hold) is null)
            {
                r.AddError("--shared-history applies to --hold only.");
            }
        });
        cmd.SetAction(async (parse, ct) =>
        {
            var settings = new LoadSettings
            {
                Sessions = parse.GetValue(sessions),
                Turns = parse.GetValue(turns),
                HistoryTokens = parse.GetValue(history),
                Model = parse.GetValue(model)!,
                Arms = parse.GetValue(arms)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
                Ceiling = parse.GetValue(ceiling),
                Repeats = parse.GetValue(repeats),
                WarmupRounds = parse.GetValue(warmupRounds),
            };
            int? holdCount = parse.GetValue(hold);
            if (holdCount is null && settings.Validate() is { } problem)
            {
                await Console.Error.WriteLineAsync($"loopwire bench load: {problem}");
                return 2;
            }

            // Both servers run with the same collector; by default the one 'loopwire serve' runs with (its runtimeconfig).
            string gcMode = parse.GetValue(gc)!;
            var gcEnv = new Dictionary<string, string> { ["DOTNET_gcServer"] = gcMode == "server" ? "1" : "0" };
            string? startedGc = null;
            // Each held socket is a descriptor here and in the server; a child inherits the raised limit.
            var fd = FileDescriptorLimit.RaiseToHard();
            ServerProcess? server = null;
            ServerProcess? ceilingProcess = null;
            try
            {
                Uri url;
                ServerProbe probe;
                string? key = parse.GetValue(apiKey);
                if (parse.GetValue(baseUrl) is { } given)
                {
                    url = given;
                    probe = new ServerProbe(null, given, key);
                }
                else
                {
                    AnsiConsole.MarkupLine("[grey]Starting the server in its own process (memory store)…[/]");
                    int connections = Math.Max(holdCount ?? 0, settings.Sessions) + 64;
                    var env = new Dictionary<string, string>(gcEnv)
                    {
                        ["Loopwire__Limits__MaxWebSocketConnectionsPerTenant"] = connections.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["Loopwire__Limits__MaxResponsesInFlightPerTenant"] = connections.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["Loopwire__Limits__RequestsPerWindow"] = "0",
                    };
                    string[] serve = ["serve", "--port", "0", "--store", "memory", .. settings.Model.StartsWith("sim-", StringComparison.Ordinal)
                        ? new[] { "--default-model-profile", settings.Model } : []];
                    server = await ServerProcess.StartCommandAsync(BenchCommands.SelfCommand(), serve, env, TimeSpan.FromSeconds(60), ct);
                    startedGc = gcMode;
                    url = server.BaseUrl;
                    probe = new ServerProbe(server.ProcessId, url, null);
                }

                using var probeScope = probe;
                var target = new LoadTarget(url, key, probe);
                string dir = parse.GetValue(output)!;
                Directory.CreateDirectory(dir);
                if (holdCount is { } n)
                {
                    AnsiConsole.MarkupLine($"[grey]Open-file limit: {(fd is { } l ? $"{l.Soft:N0} (hard {l.Hard:N0})" : "unknown")}; each held session uses one in each process.[/]");
                    HoldResult held = null!;
                    await Bar().StartAsync(async p =>
                    {
                        var task = p.AddTask($"hold {n:N0}", maxValue: n);
                        held = await HoldRunner.RunAsync(target, n, settings.HistoryTokens, settings.Model, new SyncProgress<int>(i => task.Increment(i)), null,
                            parse.GetValue(sharedHistory), ct);
                    });
                    held = held with { ServerGc = startedGc };
                    LoadTables.Render(held);
                    await WriteAsync(Path.Combine(dir, "hold.json"), JsonSerializer.SerializeToUtf8Bytes(held, CliJsonContext.Default.HoldResult), ct);
                    return held.Errors == 0 ? 0 : 1;
                }

                LoadTarget? ceilingTarget = null;
                if (settings.Ceiling)
                {
                    ceilingProcess = await ServerProcess.StartCommandAsync(BenchCommands.SelfCommand(), ["bench", "ceiling", "--port", "0"], gcEnv,
                        TimeSpan.FromSeconds(60), ct);
                    ceilingTarget = new LoadTarget(ceilingProcess.BaseUrl, null, new ServerProbe(ceilingProcess.ProcessId, null, null));
                }

                LoadResult result = null!;
                await Bar().StartAsync(async p =>
                {
                    var tasks = new Dictionary<string, ProgressTask>();
                    foreach (var arm in settings.Arms.Concat(settings.Ceiling ? ["ceiling"] : Array.Empty<string>()))
                    {
                        // Warm-up runs until the server is warm: its bar has no end and stops when the measured sessions open.
                        var warm = p.AddTask(arm + LoadWarmup.ProgressSuffix, autoStart: false);
                        warm.IsIndeterminate = true;
                        tasks[arm + LoadWarmup.ProgressSuffix] = warm;
                        int times = arm is "ws" or "ceiling" ? settings.Repeats : 1;
                        tasks[arm] = p.AddTask(arm, autoStart: false, maxValue: times * settings.Sessions * (settings.Turns + settings.WarmupTurns));
                    }

                    result = await LoadGenerator.RunAsync(target, ceilingTarget, settings, new SyncProgress<(string Arm, int Turns)>(x =>
                    {
                        var task = tasks[x.Arm];
                        if (!task.IsStarted)
                        {
                            task.StartTask();
                        }

                        if (!x.Arm.EndsWith(LoadWarmup.ProgressSuffix, StringComparison.Ordinal) && tasks[x.Arm + LoadWarmup.ProgressSuffix] is { IsFinished: false } warm)
                        {
                            warm.IsIndeterminate = false;
                            warm.Value = warm.MaxValue;
                            warm.StopTask();
                        }

                        task.Increment(x.Turns);
                    }), ct);
                });
                ceilingTarget?.Probe.Dispose();
                result = result with { ServerGc = startedGc };
                LoadTables.Render(result);
                await WriteAsync(Path.Combine(dir, "load.json"), JsonSerializer.SerializeToUtf8Bytes(result, CliJsonContext.Default.LoadResult), ct);
                return result.Arms.Sum(a => a.Errors) == 0 ? 0 : 1;
            }
            catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or System.Net.WebSockets.WebSocketException)
            {
                await Console.Error.WriteLineAsync($"loopwire bench load: {ex.Message}");
                return 1;
            }
            finally
            {
                if (ceilingProcess is not null)
                {
                    await ceilingProcess.DisposeAsync();
                }

                if (server is not null)
                {
                    await server.DisposeAsync();
                }
            }
        });
        return cmd;
    }

    /// <summary><c>loopwire bench ceiling --port P</c>: the raw Kestrel endpoint of <c>bench load --ceiling</c>, in its own process.</summary>
    public static Command CeilingCommand()
    {
        var port = new Option<int>("--port") { Description = "TCP port (0 picks a free one).", DefaultValueFactory = _ => 0 };
        var cmd = new Command("ceiling", "The raw Kestrel WebSocket ceiling that bench load --ceiling starts.") { port };
        cmd.Hidden = true;
        cmd.SetAction(async (parse, ct) =>
        {
            await using var ceiling = await CeilingServer.StartAsync("127.0.0.1", parse.GetValue(port), ct);
            Console.WriteLine($"Loopwire listening on {ceiling.BaseUrl.ToString().TrimEnd('/')} (ceiling)");
            try
            {
                await ceiling.WaitAsync(ct);
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        });
        return cmd;
    }

    private static Progress Bar() =>
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn());

    private static async Task WriteAsync(string file, byte[] json, CancellationToken ct)
    {
        await File.WriteAllBytesAsync(file, json, ct);
        AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(file)}[/]");
    }

    /// <summary>Reports synchronously on the caller's thread (Spectre's tasks are thread-safe).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
