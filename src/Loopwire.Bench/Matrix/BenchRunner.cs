using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Loopwire.Agent.Loop;
using Loopwire.Agent.Tools;
using Loopwire.Bench.Network;
using Loopwire.Bench.Results;
using Loopwire.Client.Sessions;

namespace Loopwire.Bench.Matrix;

/// <summary>Progress of the matrix, for live display.</summary>
public interface IBenchProgress
{
    /// <summary>A run starts.</summary>
    void RunStarted(int index, int total, string scenario, string arm, string model, string network, int repetition);

    /// <summary>A turn of the current run finished.</summary>
    void TurnFinished(int turn, int toolCalls);

    /// <summary>A run finished.</summary>
    void RunFinished(TimeSpan elapsed, bool testsPassed);
}

/// <summary>
/// Runs the agent over every (scenario, model, network, arm) cell against one server, each run through a fresh link
/// emulator, and turns what the client, the link and the server measured into <see cref="BenchResults"/>.
/// </summary>
/// <remarks>
/// The arms differ only in the session transport. Every run tags its task with a unique run id, so no run is served
/// from another run's prefix cache (only the shared system prompt and tool definitions are, as on a real server).
/// Tool latencies come from the same seeded model in every arm.
/// </remarks>
/// <param name="serverBaseUrl">The server's root.</param>
/// <param name="apiKey">Its bearer key, if any.</param>
/// <param name="grpcUrl">Its gRPC address (the HTTP/2 cleartext port); null: <paramref name="serverBaseUrl"/>.</param>
public sealed partial class BenchRunner(Uri serverBaseUrl, string? apiKey, Uri? grpcUrl = null)
{
    /// <summary>Runs the matrix.</summary>
    public async Task<BenchResults> RunAsync(BenchSettings settings, string command, IBenchProgress? progress = null, CancellationToken ct = default)
    {
        using var admin = new LoopwireAdminClient(serverBaseUrl, apiKey);
        var costModel = await admin.GetCostModelAsync(ct).ConfigureAwait(false);
        var target = await ResolveAsync(serverBaseUrl, ct).ConfigureAwait(false);
        var grpcTarget = await ResolveAsync(grpcUrl ?? serverBaseUrl, ct).ConfigureAwait(false);

        // A real server is warm: JIT, the tokenizer and every transport's code path are exercised before anything is
        // measured, so the first arm of the matrix does not pay the process's cold start.
        await WarmUpAsync(settings.Arms, settings.PollInterval, ct).ConfigureAwait(false);
        var cells = new List<(string Scenario, string Model, LinkProfile Network, string Arm, List<RunMeasurement> Reps)>();
        int total = settings.CellCount * settings.Repetitions;
        int index = 0;
        foreach (var scenario in settings.Scenarios)
        {
            foreach (var model in settings.Models)
            {
                foreach (var network in settings.Networks)
                {
                    foreach (var arm in settings.Arms)
                    {
                        var reps = new List<RunMeasurement>();
                        for (int rep = 0; rep < settings.Repetitions; rep++)
                        {
                            progress?.RunStarted(++index, total, scenario, arm, model, network.Name, rep + 1);
                            var m = await RunOnceAsync(settings, admin, arm == "grpc" ? grpcTarget : target, scenario, model, network, arm, rep, progress, ct).ConfigureAwait(false);
                            reps.Add(m);
                            progress?.RunFinished(m.Elapsed, m.TestsPassed);
                        }

                        cells.Add((scenario, model, network, arm, reps));
                    }
                }
            }
        }

        var runs = new List<RunResult>();
        foreach (var c in cells)
        {
            var profile = costModel.Data.FirstOrDefault(p => p.Model.Equals(c.Model, StringComparison.OrdinalIgnoreCase))
                ?? costModel.Data.First(p => p.Model == costModel.DefaultProfile);
            runs.Add(Summarise(c.Scenario, c.Arm, c.Model, c.Network, settings.Tools, c.Reps, profile));
        }

        runs = runs.Select(r =>
        {
            var ws = runs.FirstOrDefault(x => x.Arm == "ws" && x.Scenario == r.Scenario && x.Model == r.Model && x.Network == r.Network);
            return r with { RatioVsWs = ws is { E2eMsMedian: > 0 } ? r.E2eMsMedian / ws.E2eMsMedian : null };
        }).ToList();

        return new BenchResults
        {
            CreatedAt = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            Machine = new MachineInfo(Environment.ProcessorCount, System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes),
            Command = command,
            CostModel = costModel.Data.Select(p => new CostModelEntry(p.Model, p.BaseLatencyMs, p.PrefillTokensPerSecond, p.DecodeTokensPerSecond)).ToList(),
            Networks = settings.Networks.Select(n => new NetworkEntry(n.Name, n.RoundTrip.TotalMilliseconds, n.Up.BitsPerSecond / 1e6,
                n.Down.BitsPerSecond / 1e6, n.Up.Jitter.TotalMilliseconds, n.DropEveryTurns)).ToList(),
            Runs = runs,
        };
    }

    private async Task WarmUpAsync(IReadOnlyList<string> arms, TimeSpan pollInterval, CancellationToken ct)
    {
        string filler = string.Join(' ', Enumerable.Range(0, 1500).Select(i => "warm" + (i % 97).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var arm in arms)
        {
            var session = new ResponseSession(new ResponseSessionOptions
            {
                Endpoint = serverBaseUrl,
                GrpcEndpoint = grpcUrl,
                ApiKey = apiKey,
                Transport = BenchArms.Transport(arm),
                PollInterval = pollInterval,
            });
            await using var sessionScope = session.ConfigureAwait(false);
            var conversation = new List<Protocol.Items.ResponseItem>();
            var options = new Protocol.Requests.CreateResponseRequest { Model = "sim-instant" };
            for (int i = 0; i < 4; i++)
            {
                conversation.Add(new Protocol.Items.MessageItem
                {
                    Role = "user",
                    Content = Protocol.Items.MessageContent.FromText($"warm-up {Guid.NewGuid():N} {filler}"),
                });
                var result = await session.RunTurnAsync(conversation, options, ct).ConfigureAwait(false);
                conversation.AddRange(result.Output);
            }
        }
    }

    private async Task<RunMeasurement> RunOnceAsync(BenchSettings settings, LoopwireAdminClient admin, IPEndPoint target, string scenario,
        string model, LinkProfile network, string arm, int rep, IBenchProgress? progress, CancellationToken ct)
    {
        int seed = HashCode.Combine(settings.Seed, rep) & 0x7fffffff;
        var link = new LinkEmulator(target, network, seed);
        await using var linkScope = link.ConfigureAwait(false);
        var endpoint = new Uri($"http://127.0.0.1:{link.Endpoint.Port}/");
        var session = new ResponseSession(new ResponseSessionOptions
        {
            Endpoint = endpoint,
            GrpcEndpoint = endpoint, // the grpc arm's link emulator fronts the gRPC port
            ApiKey = apiKey,
            Transport = BenchArms.Transport(arm),
            PollInterval = settings.PollInterval,
            MaxReplays = 4,
            MaxConnectAttempts = 8,
        });
        await using var sessionScope = session.ConfigureAwait(false);
        var tools = settings.ToolRunnerFactory(scenario, seed);
        try
        {
            var loop = new AgentLoop(session, tools, new AgentOptions { Model = model });
            var drops = new Random(seed ^ 0x2545F491);
            int dropsInjected = 0;
            string runTag = $"run {Guid.NewGuid():N}";
            var result = await loop.RunAsync($"{settings.TaskFor(scenario)}\n({runTag})", turn =>
            {
                progress?.TurnFinished(turn.Index, turn.Calls.Count);
                if (network.DropEveryTurns > 0 && drops.NextDouble() < 1.0 / network.DropEveryTurns)
                {
                    // Drop while the next model call is in flight, as a network change would.
                    int delayMs = drops.Next(1, 40);
                    dropsInjected++;
                    _ = Task.Delay(delayMs, CancellationToken.None).ContinueWith(_ => link.DropAll(), TaskScheduler.Default);
                }
            }, ct).ConfigureAwait(false);

            bool passed = settings.VerifyTests is { } verify
                ? await verify(tools, ct).ConfigureAwait(false)
                : LastTestsPassed(result);
            var samples = new List<TurnSample>();
            foreach (var t in result.Turns)
            {
                var server = await admin.GetTurnAsync(t.ResponseId, ct).ConfigureAwait(false);
                samples.Add(new TurnSample(t.Index, t.Metrics.TimeToFirstToken?.TotalMilliseconds ?? t.Metrics.TurnTime.TotalMilliseconds,
                    t.Metrics.TurnTime.TotalMilliseconds, t.ToolTime.TotalMilliseconds, t.Metrics.BytesSent, t.Metrics.BytesReceived,
                    t.Metrics.ItemsSent, server?.PromptTokens ?? 0, server?.CachedTokens ?? 0, server?.OutputTokens ?? 0,
                    server?.TokensRendered ?? 0, server?.OverheadMs ?? 0, t.Metrics.Replays, t.Metrics.Reconnects));
            }

            var newUpBytes = NewBytesPerTurn(result, settings.TaskFor(scenario).Length, tools);
            return new RunMeasurement(result.Elapsed, passed, samples, link.BytesUp, link.BytesDown, result.ToolCalls, Math.Max(link.Drops, dropsInjected),
                newUpBytes, result.StopReason == AgentStopReason.Answered, dropsInjected);
        }
        finally
        {
            (tools as IDisposable)?.Dispose();
        }
    }

    /// <summary>The bytes a turn had to send at the least: the new items (the previous turn's tool outputs) plus an envelope.</summary>
    private static List<long> NewBytesPerTurn(AgentRunResult result, int taskLength, IToolRunner tools)
    {
        const int Envelope = 256;
        long toolDefinitions = tools.Definitions.Sum(d => (d.Name?.Length ?? 0) + (d.Description?.Length ?? 0) + (d.Parameters?.GetRawText().Length ?? 0));
        var list = new List<long> { Envelope + taskLength + toolDefinitions + AgentOptions.DefaultInstructions.Length };
        for (int i = 1; i < result.Turns.Count; i++)
        {
            list.Add(Envelope + result.Turns[i - 1].Calls.Sum(c => (long)System.Text.Encoding.UTF8.GetByteCount(c.Result.Output) + 80));
        }

        return list;
    }

    private static bool LastTestsPassed(AgentRunResult result)
    {
        var last = result.Turns.SelectMany(t => t.Calls).LastOrDefault(c => c.Call.Name == "run_tests" && !c.Result.IsError);
        if (last.Result is null)
        {
            return false;
        }

        var m = TestCounts().Match(last.Result.Output);
        return m.Success && m.Groups[2].Value == "0" && m.Groups[1].Value != "0";
    }

    private static RunResult Summarise(string scenario, string arm, string model, LinkProfile network, string tools, List<RunMeasurement> reps,
        Protocol.Admin.CostModelProfile cost)
    {
        var e2e = reps.Select(r => r.Elapsed.TotalMilliseconds).ToList();
        var turns = reps.SelectMany(r => r.Turns).ToList();
        var floors = reps.Select(r => Floor(r, cost, network)).ToList();
        double e2eMedian = Stats.Median(e2e);
        double floorMedian = Stats.Median(floors);
        long prompt = turns.Sum(t => (long)t.PromptTokens);
        return new RunResult
        {
            Scenario = scenario,
            Arm = arm,
            Model = model,
            Network = network.Name,
            Tools = tools,
            Repetitions = reps.Count,
            E2eMsMedian = e2eMedian,
            E2eMsMin = e2e.Min(),
            E2eMsMax = e2e.Max(),
            TtftMsMedian = Stats.Median(turns.Select(t => t.TtftMs)),
            TurnMsMedian = Stats.Median(turns.Select(t => t.TurnMs)),
            Turns = (int)Stats.Median(reps.Select(r => (double)r.Turns.Count)),
            ToolCalls = (int)Stats.Median(reps.Select(r => (double)r.ToolCalls)),
            BytesUp = (long)Stats.Median(reps.Select(r => (double)r.LinkBytesUp)),
            BytesDown = (long)Stats.Median(reps.Select(r => (double)r.LinkBytesDown)),
            ItemsSent = (int)Stats.Median(reps.Select(r => (double)r.Turns.Sum(t => t.ItemsSent))),
            TokensRendered = (long)Stats.Median(reps.Select(r => (double)r.Turns.Sum(t => (long)t.TokensRendered))),
            ServerOverheadMsMedian = Stats.Median(turns.Select(t => t.ServerOverheadMs)),
            PrefixCacheHitRate = prompt == 0 ? 0 : turns.Sum(t => (long)t.CachedTokens) / (double)prompt,
            Replays = (int)Stats.Median(reps.Select(r => (double)r.Turns.Sum(t => t.Replays))),
            Reconnects = (int)Stats.Median(reps.Select(r => (double)r.Turns.Sum(t => t.Reconnects))),
            Drops = (int)Stats.Median(reps.Select(r => (double)r.Drops)),
            TestsPassed = reps.All(r => r.TestsPassed && r.Answered),
            FloorMs = floorMedian,
            RatioVsFloor = floorMedian > 0 ? e2eMedian / floorMedian : 0,
            TurnsDetail = reps.Select(r => (IReadOnlyList<TurnSample>)r.Turns).ToList(),
        };
    }

    /// <summary>
    /// The physical floor of a run: per turn, the model's time under the cost model with a perfect prefix cache
    /// (only the tokens new since the previous turn are prefilled), the decode time, the tool time, one round trip, and
    /// the transfer of the new bytes up and of what came down; plus, per injected connection drop, one reconnect
    /// handshake (<see cref="ReconnectRoundTrips"/> round trips: TCP, then the WebSocket upgrade) and no replay.
    /// </summary>
    /// <summary>Round trips one reconnect costs at the least: the TCP handshake and the WebSocket upgrade.</summary>
    internal const int ReconnectRoundTrips = 2;

    internal static double Floor(RunMeasurement run, Protocol.Admin.CostModelProfile cost, LinkProfile network)
    {
        double total = 0;
        int previousContext = 0;
        for (int i = 0; i < run.Turns.Count; i++)
        {
            var t = run.Turns[i];
            int newTokens = Math.Max(0, t.PromptTokens - previousContext);
            int uncached = Math.Min(newTokens, t.PromptTokens - t.CachedTokens);
            double prefill = cost.PrefillTokensPerSecond > 0 ? uncached * 1000.0 / cost.PrefillTokensPerSecond : 0;
            double decode = cost.DecodeTokensPerSecond > 0 ? t.OutputTokens * 1000.0 / cost.DecodeTokensPerSecond : 0;
            long up = i < run.NewUpBytes.Count ? run.NewUpBytes[i] : 0;
            total += cost.BaseLatencyMs + prefill + decode + t.ToolMs + network.RoundTrip.TotalMilliseconds
                + network.Up.TransmitTime(up).TotalMilliseconds + network.Down.TransmitTime(t.BytesReceived).TotalMilliseconds;
            previousContext = t.PromptTokens + t.OutputTokens;
        }

        return total + run.InjectedDrops * ReconnectRoundTrips * network.RoundTrip.TotalMilliseconds;
    }

    private static async Task<IPEndPoint> ResolveAsync(Uri url, CancellationToken ct)
    {
        if (IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip))
        {
            return new IPEndPoint(ip, url.Port);
        }

        var addresses = await Dns.GetHostAddressesAsync(url.Host, ct).ConfigureAwait(false);
        return new IPEndPoint(addresses.First(a => IPAddress.IsLoopback(a)), url.Port);
    }

    [GeneratedRegex(@"passed:\s*(\d+),\s*failed:\s*(\d+)")]
    private static partial Regex TestCounts();
}

/// <summary>What one repetition measured.</summary>
internal sealed record RunMeasurement(TimeSpan Elapsed, bool TestsPassed, List<TurnSample> Turns, long LinkBytesUp, long LinkBytesDown,
    int ToolCalls, int Drops, List<long> NewUpBytes, bool Answered, int InjectedDrops = 0);

/// <summary>Medians and percentiles.</summary>
internal static class Stats
{
    public static double Median(IEnumerable<double> values) => Percentile(values, 0.5);

    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        double rank = p * (sorted.Length - 1);
        int lo = (int)Math.Floor(rank);
        int hi = (int)Math.Ceiling(rank);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }
}
