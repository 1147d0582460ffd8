namespace Loopwire.Bench.Load;

/// <summary>Settings of <c>loopwire bench load</c>.</summary>
public sealed record LoadSettings
{
    /// <summary>The arms a run can measure.</summary>
    public static readonly IReadOnlyList<string> AllArms = ["ws", "http-chained", "http-stateless"];

    /// <summary>Concurrent sessions per arm. <value>16</value></summary>
    public int Sessions { get; init; } = 16;

    /// <summary>Measured continuation turns per session. <value>60</value></summary>
    public int Turns { get; init; } = 60;

    /// <summary>The history each session starts with, in (approximate) tokens. <value>1,000</value></summary>
    public int HistoryTokens { get; init; } = 1_000;

    /// <summary>The model. <value>sim-instant</value></summary>
    public string Model { get; init; } = "sim-instant";

    /// <summary>The arms, in order. <value>ws, http-chained, http-stateless</value></summary>
    public IReadOnlyList<string> Arms { get; init; } = AllArms;

    /// <summary>Whether to replay the ws arm's frames against a raw Kestrel endpoint. <value>false</value></summary>
    public bool Ceiling { get; init; }

    /// <summary>
    /// With <see cref="Ceiling"/>: how many times the ws arm and the ceiling are measured, alternately, in one run; the ratios
    /// reported are the medians (a busy machine's speed moves between phases). <value>1</value>
    /// </summary>
    public int Repeats { get; init; } = 1;

    /// <summary>Unmeasured turns per session before the measured ones (JIT, caches). <value>5</value></summary>
    public int WarmupTurns { get; init; } = 5;

    /// <summary>
    /// At most this many warm-up rounds before the measured sessions open: all sessions make <see cref="WarmupRoundTurns"/> turns at
    /// once, until the server is warm (see <see cref="LoadWarmup"/>); 0: none. <value>300</value>
    /// </summary>
    public int WarmupRounds { get; init; } = 300;

    /// <summary>Turns per session in one warm-up round. <value>10</value></summary>
    public int WarmupRoundTurns { get; init; } = 10;

    /// <summary>The longest a whole run may take before it stops itself. <value>10 minutes</value></summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The first problem with these settings, or null when they are usable.</summary>
    public string? Validate()
    {
        var unknown = Arms.Except(AllArms).ToList();
        if (unknown.Count > 0)
        {
            return $"unknown arm(s) {string.Join(", ", unknown)}; known: {string.Join(", ", AllArms)}.";
        }

        if (Arms.Count == 0)
        {
            return "--arms names no arm.";
        }

        if (Sessions < 1 || Sessions > 10_000)
        {
            return $"--sessions must be between 1 and 10000, got {Sessions}.";
        }

        if (Turns < 1 || Turns > 100_000)
        {
            return $"--turns must be between 1 and 100000, got {Turns}.";
        }

        if (HistoryTokens < 0 || HistoryTokens > 500_000)
        {
            return $"--history-tokens must be between 0 and 500000, got {HistoryTokens}.";
        }

        if (WarmupRounds < 0 || WarmupRounds > 10_000)
        {
            return $"--warmup-rounds must be between 0 and 10000, got {WarmupRounds}.";
        }

        if (Ceiling && !Arms.Contains("ws"))
        {
            return "--ceiling replays the ws arm's frames; add ws to --arms.";
        }

        if (Repeats < 1 || Repeats > 20)
        {
            return $"--repeats must be between 1 and 20, got {Repeats}.";
        }

        if (Repeats > 1 && !Ceiling)
        {
            return "--repeats alternates the ws arm with the ceiling; add --ceiling.";
        }

        return null;
    }
}

/// <summary>One arm of a load run.</summary>
/// <param name="Arm">ws, http-chained, http-stateless, or ceiling.</param>
/// <param name="Sessions">Concurrent sessions.</param>
/// <param name="Turns">Measured turns over all sessions (sessions × turns).</param>
/// <param name="Errors">Turns that failed (the session stops at its first failure).</param>
/// <param name="Seconds">Wall time of the measured phase.</param>
/// <param name="TurnsPerS">Measured turns per second.</param>
/// <param name="P50Ms">Turn latency, median: request sent to terminal event received.</param>
/// <param name="P90Ms">Turn latency, 90th percentile.</param>
/// <param name="P99Ms">Turn latency, 99th percentile.</param>
/// <param name="ServerCpuMsPerTurn">Server CPU (user + system) during the measured phase, per turn; null when unknown.</param>
/// <param name="ServerRssMb">Server resident memory at the end of the phase; null when unknown.</param>
/// <param name="Gen0">Gen-0 collections in the server during the phase; null when unknown.</param>
/// <param name="Gen1">Gen-1 collections.</param>
/// <param name="Gen2">Gen-2 collections.</param>
/// <param name="FramesPerTurn">WebSocket messages the server sent per turn; null for HTTP arms.</param>
/// <param name="BytesPerTurn">Payload bytes the server sent per turn; null for HTTP arms.</param>
/// <param name="WarmupTurns">Unmeasured turns per session slot before the measured ones (warm-up rounds, then warm-up turns).</param>
public sealed record LoadArmResult(
    string Arm,
    int Sessions,
    int Turns,
    int Errors,
    double Seconds,
    double TurnsPerS,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double? ServerCpuMsPerTurn,
    double? ServerRssMb,
    long? Gen0,
    long? Gen1,
    long? Gen2,
    double? FramesPerTurn,
    double? BytesPerTurn,
    int WarmupTurns = 0)
{
    /// <summary>Warm-up rounds run before the measured sessions opened.</summary>
    public int WarmupRounds { get; init; }

    /// <summary>Methods the server JIT-compiled in the last second or so of warm-up rounds (at most a few when warm); null when unknown.</summary>
    public long? WarmupJitMethodsLastWindow { get; init; }

    /// <summary>Methods the server JIT-compiled during the measured phase; null when unknown.</summary>
    public long? JitMethodsMeasured { get; init; }

    /// <summary>Bytes the server allocated per measured turn, in KiB; null when unknown.</summary>
    public double? ServerAllocKbPerTurn { get; init; }

    /// <summary>With <see cref="LoadSettings.Repeats"/> above 1: which measurement of the ws arm and the ceiling this is (1 first); else null.</summary>
    public int? Repeat { get; init; }
}

/// <summary>Loopwire's ws arm against the raw Kestrel ceiling with the same frames.</summary>
/// <param name="CpuPerTurnRatio">Loopwire server CPU per turn ÷ the ceiling's (target ≤ 1.5); the median over the repeats.</param>
/// <param name="TurnsPerSRatio">Loopwire turns/s ÷ the ceiling's (target ≥ 0.7); the median over the repeats.</param>
/// <param name="CpuAttribution">How the ceiling's CPU was measured.</param>
public sealed record CeilingComparison(double? CpuPerTurnRatio, double TurnsPerSRatio, string CpuAttribution)
{
    /// <summary>The CPU ratio of each repeat, in order (one value without repeats; null where unknown).</summary>
    public IReadOnlyList<double?> CpuPerTurnRatios { get; init; } = [];

    /// <summary>The turns/s ratio of each repeat, in order.</summary>
    public IReadOnlyList<double> TurnsPerSRatios { get; init; } = [];
}

/// <summary>The whole <c>load.json</c>.</summary>
/// <param name="Machine">Cores, OS and runtime.</param>
/// <param name="Model">The model.</param>
/// <param name="HistoryTokens">The history each session starts with.</param>
/// <param name="TurnsPerSession">Measured turns per session.</param>
/// <param name="Server">Where the numbers come from (the process it started, or a running server's /metrics).</param>
/// <param name="Arms">One result per arm, the ceiling last.</param>
/// <param name="Ceiling">The ratios, when --ceiling ran.</param>
public sealed record LoadResult(
    string Machine,
    string Model,
    int HistoryTokens,
    int TurnsPerSession,
    string Server,
    IReadOnlyList<LoadArmResult> Arms,
    CeilingComparison? Ceiling)
{
    /// <summary>The collector of the server the bench started (<c>server</c> or <c>workstation</c>); null for a running server.</summary>
    public string? ServerGc { get; init; }
}
