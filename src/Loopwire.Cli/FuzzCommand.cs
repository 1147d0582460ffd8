using System.CommandLine;
using Loopwire.Fuzz;
using Loopwire.Server.Auth;

namespace Loopwire.Cli;

/// <summary><c>loopwire fuzz --target URL --count N [--seed S] [--ws-only|--http-only]</c>: hostile inputs against a loopback server.</summary>
internal static class FuzzCommand
{
    public static Command Create()
    {
        var target = new Option<string>("--target") { Description = "The server root, e.g. http://127.0.0.1:8080 (loopback only).", Required = true };
        var count = new Option<int>("--count") { Description = "Inputs to send (HTTP requests + WebSocket messages + slowloris connections).", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "Seed; the same seed sends the same inputs.", DefaultValueFactory = _ => 1 };
        var wsOnly = new Option<bool>("--ws-only") { Description = "Only WebSocket messages." };
        var httpOnly = new Option<bool>("--http-only") { Description = "Only HTTP requests." };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent connections.", DefaultValueFactory = _ => 8 };
        var model = new Option<string>("--model") { Description = "Model named in valid requests.", DefaultValueFactory = _ => "sim-instant" };
        var apiKey = new Option<string?>("--api-key") { Description = "Bearer key for the target." };
        var maxMessage = new Option<int>("--max-message-bytes")
        {
            Description = "The target's Loopwire:WebSocket:MaxMessageBytes; oversized messages are one byte more.",
            DefaultValueFactory = _ => 16 * 1024 * 1024,
        };
        var minutes = new Option<double>("--max-minutes") { Description = "Stop after this long whatever --count says.", DefaultValueFactory = _ => 15 };
        var cmd = new Command("fuzz", "Send malformed, truncated, huge, nested, invalid-UTF-8, out-of-order and slow inputs over HTTP and WebSocket; " +
            "every input must get a 4xx, an error event or a fitting close code. Exit code 1 on any server fault.")
        {
            target, count, seed, wsOnly, httpOnly, concurrency, model, apiKey, maxMessage, minutes,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            string targetText = parse.GetValue(target)!;
            if (!Uri.TryCreate(targetText, UriKind.Absolute, out var root) || root.Scheme is not ("http" or "https")
                || !ApiKeySources.IsLoopbackHost(root.Host))
            {
                await Console.Error.WriteLineAsync($"loopwire fuzz: refusing target '{targetText}': fuzzing is only allowed against loopback " +
                    "(http://127.0.0.1:PORT, http://[::1]:PORT or http://localhost:PORT).");
                return 2;
            }

            if (parse.GetValue(wsOnly) && parse.GetValue(httpOnly))
            {
                await Console.Error.WriteLineAsync("loopwire fuzz: --ws-only and --http-only exclude each other.");
                return 2;
            }

            var options = new FuzzOptions
            {
                Count = Math.Max(1, parse.GetValue(count)),
                Seed = parse.GetValue(seed),
                Http = !parse.GetValue(wsOnly),
                WebSocket = !parse.GetValue(httpOnly),
                Concurrency = Math.Clamp(parse.GetValue(concurrency), 1, 256),
                Model = parse.GetValue(model)!,
                OversizedMessageBytes = parse.GetValue(maxMessage) + 1,
                MaxDuration = TimeSpan.FromMinutes(Math.Clamp(parse.GetValue(minutes), 0.1, 240)),
            };
            var fuzzTarget = FuzzTarget.ForUrl(root, parse.GetValue(apiKey), options.Concurrency);
            try
            {
                Console.WriteLine($"loopwire fuzz: {options.Count} inputs against {root} (seed {options.Seed}, " +
                    $"{(options.Http && options.WebSocket ? "HTTP + WebSocket" : options.Http ? "HTTP only" : "WebSocket only")}, concurrency {options.Concurrency})");
                var report = await new FuzzRunner(fuzzTarget, options).RunAsync(ct);
                Console.WriteLine(report.Summary());
                foreach (var (outcome, n) in report.Counts.OrderBy(c => c.Key))
                {
                    Console.WriteLine($"  {outcome,-18} {n,9}{(FuzzReport.IsFailure(outcome) ? "  <- server fault" : "")}");
                }

                foreach (var group in report.Failures.GroupBy(f => f.Length > 160 ? f[..160] : f))
                {
                    Console.WriteLine($"  {group.Count()} x {group.Key}");
                }

                return report.FailureCount == 0 ? 0 : 1;
            }
            finally
            {
                fuzzTarget.Http.Dispose();
            }
        });
        return cmd;
    }
}
