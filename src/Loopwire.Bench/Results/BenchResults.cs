using System.Text.Json.Serialization;

namespace Loopwire.Bench.Results;

/// <summary>
/// The document written to <c>DIR/results.json</c> by <c>loopwire bench</c> (snake_case on disk).
/// </summary>
/// <remarks>
/// Schema (version 1): <c>schema_version</c>, <c>created_at</c> (ISO 8601), <c>machine</c>, <c>command</c>,
/// <c>cost_model</c> (the simulated profiles as the server reported them), <c>networks</c> (the link profiles), and
/// <c>runs[]</c>: one entry per (scenario, arm, model, network) cell with medians over its repetitions, the floor, the
/// ratios, and the per-turn samples of every repetition.
/// </remarks>
public sealed record BenchResults
{
    /// <summary>1.</summary>
    public int SchemaVersion { get; init; } = 1;

    /// <summary>When the run started (UTC, ISO 8601).</summary>
    public required string CreatedAt { get; init; }

    /// <summary>Cores, OS, runtime.</summary>
    public required MachineInfo Machine { get; init; }

    /// <summary>The command line that produced the file.</summary>
    public required string Command { get; init; }

    /// <summary>The simulated model's cost model, per profile, as the server reported it.</summary>
    public required IReadOnlyList<CostModelEntry> CostModel { get; init; }

    /// <summary>The emulated networks used.</summary>
    public required IReadOnlyList<NetworkEntry> Networks { get; init; }

    /// <summary>One entry per matrix cell.</summary>
    public required IReadOnlyList<RunResult> Runs { get; init; }
}

/// <summary>The machine the benchmark ran on.</summary>
public sealed record MachineInfo(int Cores, string Os, string Runtime, long MemoryBytes);

/// <summary>A simulated profile's cost model.</summary>
public sealed record CostModelEntry(string Model, double BaseLatencyMs, double PrefillTokensPerSecond, double DecodeTokensPerSecond);

/// <summary>An emulated network.</summary>
public sealed record NetworkEntry(string Name, double RttMs, double UpMbps, double DownMbps, double JitterMs, double DropEveryTurns);

/// <summary>One cell of the matrix: medians over its repetitions.</summary>
public sealed record RunResult
{
    /// <summary>The agent scenario (sample).</summary>
    public required string Scenario { get; init; }

    /// <summary>http-stateless, http-chained, http-polling, ws-full, ws or grpc.</summary>
    public required string Arm { get; init; }

    /// <summary>The model profile.</summary>
    public required string Model { get; init; }

    /// <summary>The network profile.</summary>
    public required string Network { get; init; }

    /// <summary>Tools: mock (recorded, same latency in every arm) or real.</summary>
    public required string Tools { get; init; }

    /// <summary>How many repetitions the medians are over.</summary>
    public int Repetitions { get; init; }

    /// <summary>Median end-to-end task time.</summary>
    public double E2eMsMedian { get; init; }

    /// <summary>Lowest and highest end-to-end time over the repetitions.</summary>
    public double E2eMsMin { get; init; }

    /// <summary>Highest end-to-end time over the repetitions.</summary>
    public double E2eMsMax { get; init; }

    /// <summary>Median time to first token over all turns of all repetitions.</summary>
    public double TtftMsMedian { get; init; }

    /// <summary>Median turn time (send to terminal event).</summary>
    public double TurnMsMedian { get; init; }

    /// <summary>Model calls per task (median).</summary>
    public int Turns { get; init; }

    /// <summary>Tool calls per task (median).</summary>
    public int ToolCalls { get; init; }

    /// <summary>Bytes client → server per task, measured on the emulated link (median).</summary>
    public long BytesUp { get; init; }

    /// <summary>Bytes server → client per task, measured on the emulated link (median).</summary>
    public long BytesDown { get; init; }

    /// <summary>Items the client sent per task (median).</summary>
    public int ItemsSent { get; init; }

    /// <summary>Tokens the server tokenized per task (median), from its own stage timings.</summary>
    public long TokensRendered { get; init; }

    /// <summary>Median server overhead per turn (parse + resolve + render + validate), from the server's stage timings.</summary>
    public double ServerOverheadMsMedian { get; init; }

    /// <summary>Prompt tokens served from the prefix cache / prompt tokens, over the task.</summary>
    public double PrefixCacheHitRate { get; init; }

    /// <summary>Full-context replays per task (median).</summary>
    public int Replays { get; init; }

    /// <summary>Reconnections per task (median).</summary>
    public int Reconnects { get; init; }

    /// <summary>Connection drops the emulator injected per task (median).</summary>
    public int Drops { get; init; }

    /// <summary>Whether every repetition finished with passing tests.</summary>
    public bool TestsPassed { get; init; }

    /// <summary>The physical floor of the run (median): model time under the cost model with a perfect prefix cache,
    /// plus tool time, plus one round trip and the transfer of the new bytes per turn.</summary>
    public double FloorMs { get; init; }

    /// <summary>This arm's e2e / the ws arm's e2e in the same scenario, model and network (null when ws was not run).</summary>
    public double? RatioVsWs { get; init; }

    /// <summary>This arm's e2e / its floor.</summary>
    public double RatioVsFloor { get; init; }

    /// <summary>Per-turn samples of each repetition.</summary>
    public IReadOnlyList<IReadOnlyList<TurnSample>> TurnsDetail { get; init; } = [];
}

/// <summary>One model call as the client and the server saw it.</summary>
public sealed record TurnSample(
    int Index,
    double TtftMs,
    double TurnMs,
    double ToolMs,
    long BytesSent,
    long BytesReceived,
    int ItemsSent,
    int PromptTokens,
    int CachedTokens,
    int OutputTokens,
    int TokensRendered,
    double ServerOverheadMs,
    int Replays,
    int Reconnects);

/// <summary>Source-generated JSON for the results file.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(BenchResults))]
public sealed partial class BenchResultsJsonContext : JsonSerializerContext;
