using Loopwire.Bench.Results;

namespace Loopwire.Bench.Tests.Report;

/// <summary>
/// A realistic, deterministic <see cref="BenchResults"/> for report tests: 2 scenarios × 2 models × 2 networks × 4 arms,
/// three repetitions, 14 and 52 turns with growing prompts. Every arm replays the same conversation; they differ only in
/// what the transport re-sends and the server re-processes: http-stateless and ws-full send and render the whole history,
/// so their bytes and overhead grow with it; http-chained and ws send deltas, and ws keeps the context on the connection,
/// so its overhead stays flat. A drop on the WAN link costs ws a reconnect and a full replay.
/// </summary>
internal static class SyntheticResults
{
    public static readonly string[] Arms = ["http-stateless", "http-chained", "ws-full", "ws"];

    private static readonly (string Name, int Turns, int StartTokens, int Growth)[] Scenarios =
        [("fix-off-by-one", 14, 2_200, 700), ("refactor-tokenizer", 52, 3_000, 900)];

    private static readonly CostModelEntry[] Models =
        [new("sim-gpt5", 450, 6_000, 65), new("sim-burst", 40, 120_000, 4_000)];

    private static readonly NetworkEntry[] Networks =
        [new("lan", 0.5, 1_000, 1_000, 0.1, 0), new("wan-80ms", 80, 10, 40, 5, 25)];

    public static BenchResults Create(int repetitions = 3, string? firstScenarioName = null)
    {
        var runs = new List<RunResult>();
        foreach (var (name, turns, start, growth) in Scenarios)
        {
            var scenario = name == Scenarios[0].Name && firstScenarioName is not null ? firstScenarioName : name;
            var script = Script(name, turns, start, growth);
            foreach (var model in Models)
            {
                foreach (var network in Networks)
                {
                    var cell = Arms.Select(arm => Run(scenario, arm, model, network, script, repetitions)).ToList();
                    var ws = cell.Single(r => r.Arm == "ws").E2eMsMedian;
                    runs.AddRange(cell.Select(r => r with { RatioVsWs = r.E2eMsMedian / ws }));
                }
            }
        }

        return new BenchResults
        {
            CreatedAt = "2025-06-01T12:00:00Z",
            Machine = new MachineInfo(2, "Debian GNU/Linux 13", ".NET 10.0.0", 8L * 1024 * 1024 * 1024),
            Command = "loopwire bench --scenarios fix-off-by-one,refactor-tokenizer --models sim-gpt5,sim-burst --networks lan,wan-80ms --repetitions 3",
            CostModel = Models,
            Networks = Networks,
            Runs = runs,
        };
    }

    /// <summary>The conversation every arm replays: (prompt tokens, output tokens, tool ms) per turn.</summary>
    private static (int Prompt, int Output, double ToolMs)[] Script(string scenario, int turns, int start, int growth)
    {
        var rng = new Random(StableSeed(scenario));
        var prompt = start;
        var script = new (int, int, double)[turns];
        for (var t = 0; t < turns; t++)
        {
            script[t] = (prompt, rng.Next(40, 220), t == turns - 1 ? 0 : rng.Next(20, 200));
            prompt += (int)(growth * (0.4 + (rng.NextDouble() * 1.2)));
        }

        return script;
    }

    private static RunResult Run(string scenario, string arm, CostModelEntry model, NetworkEntry net, (int Prompt, int Output, double ToolMs)[] script, int repetitions)
    {
        var rng = new Random(StableSeed($"{scenario}|{arm}|{model.Model}|{net.Name}"));
        bool fullHistory = arm is "http-stateless" or "ws-full", http = arm.StartsWith("http", StringComparison.Ordinal), ws = arm == "ws";
        var reps = new List<List<TurnSample>>();
        var e2es = new List<double>();
        var floors = new List<double>();
        for (var rep = 0; rep < repetitions; rep++)
        {
            var samples = new List<TurnSample>();
            double e2e = 0, floor = 0;
            for (var t = 0; t < script.Length; t++)
            {
                var (prompt, output, tool) = script[t];
                var fresh = prompt - (t == 0 ? 0 : script[t - 1].Prompt);
                var reconnect = net.DropEveryTurns > 0 && t > 0 && t % (int)net.DropEveryTurns == 0;
                var replay = ws && reconnect;
                var sendsAll = fullHistory || replay || t == 0;
                long sent = (long)((sendsAll ? prompt : fresh) * 4.2) + (http ? 620 : 90);
                long received = (output * 26) + (http ? 1_400 : 900);
                var noise = 1 + ((rng.NextDouble() - 0.5) * 0.12);
                var overhead = noise * arm switch
                {
                    "http-stateless" => 0.4 + (prompt * 0.0018),
                    "ws-full" => 0.3 + (prompt * 0.0015),
                    "http-chained" => 0.6 + (prompt * 0.00012),
                    _ => replay ? 0.3 + (prompt * 0.0015) : 0.15 + (fresh * 0.00005),
                };
                var upMs = sent * 8 / (net.UpMbps * 1000);
                var downMs = received * 8 / (net.DownMbps * 1000);
                var jitter = rng.NextDouble() * net.JitterMs;
                var ttft = net.RttMs + upMs + overhead + model.BaseLatencyMs + (fresh / model.PrefillTokensPerSecond * 1000) + jitter
                    + (reconnect ? net.RttMs * 2 : 0);
                var turn = ttft + (output / model.DecodeTokensPerSecond * 1000) + downMs;
                var repNoise = 1 + ((rng.NextDouble() - 0.5) * 0.03);
                e2e += (turn + tool) * repNoise;
                floor += model.BaseLatencyMs + (fresh / model.PrefillTokensPerSecond * 1000) + (output / model.DecodeTokensPerSecond * 1000)
                    + tool + net.RttMs + ((fresh * 4.2) + 90) * 8 / (net.UpMbps * 1000);
                var items = sendsAll ? 1 + (2 * t) : t == 0 ? 1 : 2;
                samples.Add(new TurnSample(t + 1, ttft, turn, tool, sent, received, items, prompt, prompt - fresh, output,
                    fullHistory || replay ? prompt : fresh, overhead, replay ? 1 : 0, reconnect ? 1 : 0));
            }

            reps.Add(samples);
            e2es.Add(e2e);
            floors.Add(floor);
        }

        var all = reps.SelectMany(r => r).ToList();
        var median = e2es.Order().ElementAt(e2es.Count / 2);
        var floorMedian = floors.Order().ElementAt(floors.Count / 2);
        var drops = net.DropEveryTurns > 0 ? (script.Length - 1) / (int)net.DropEveryTurns : 0;
        return new RunResult
        {
            Scenario = scenario,
            Arm = arm,
            Model = model.Model,
            Network = net.Name,
            Tools = "mock",
            Repetitions = repetitions,
            E2eMsMedian = median,
            E2eMsMin = e2es.Min(),
            E2eMsMax = e2es.Max(),
            TtftMsMedian = MedianOf(all.Select(s => s.TtftMs)),
            TurnMsMedian = MedianOf(all.Select(s => s.TurnMs)),
            Turns = script.Length,
            ToolCalls = script.Length - 1,
            BytesUp = reps[0].Sum(s => s.BytesSent),
            BytesDown = reps[0].Sum(s => s.BytesReceived),
            ItemsSent = reps[0].Sum(s => s.ItemsSent),
            TokensRendered = reps[0].Sum(s => (long)s.TokensRendered),
            ServerOverheadMsMedian = MedianOf(all.Select(s => s.ServerOverheadMs)),
            PrefixCacheHitRate = reps[0].Sum(s => (double)s.CachedTokens) / reps[0].Sum(s => (double)s.PromptTokens),
            Replays = reps[0].Sum(s => s.Replays),
            Reconnects = reps[0].Sum(s => s.Reconnects),
            Drops = drops,
            TestsPassed = true,
            FloorMs = floorMedian,
            RatioVsFloor = median / floorMedian,
            TurnsDetail = reps,
        };
    }

    private static int StableSeed(string text)
    {
        var h = 2166136261u;
        foreach (var ch in text)
        {
            h = (h ^ ch) * 16777619u;
        }

        return (int)(h & 0x7FFFFFFF);
    }

    private static double MedianOf(IEnumerable<double> values)
    {
        var v = values.Order().ToList();
        return v.Count == 0 ? 0 : v.Count % 2 == 1 ? v[v.Count / 2] : (v[(v.Count / 2) - 1] + v[v.Count / 2]) / 2;
    }
}
