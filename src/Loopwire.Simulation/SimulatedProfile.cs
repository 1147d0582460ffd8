namespace Loopwire.Simulation;

/// <summary>The cost model of a simulated model.</summary>
/// <param name="Name">The profile (and model) name.</param>
/// <param name="BaseLatencyMs">Fixed time to first token, in ms (scheduling, first forward pass).</param>
/// <param name="PrefillTokensPerSecond">Prompt tokens processed per second; only uncached tokens cost. 0 = free.</param>
/// <param name="DecodeTokensPerSecond">Output tokens per second. 0 = instant.</param>
/// <param name="ContextWindow">The context window in tokens (<c>truncation</c> and <c>context_length_exceeded</c> use it);
/// <c>Loopwire:ContextWindows:NAME</c> overrides it.</param>
/// <remarks>TTFT = base + uncached prompt tokens / prefill rate; output then streams at the decode rate.</remarks>
public sealed record SimulatedProfile(string Name, double BaseLatencyMs, double PrefillTokensPerSecond, double DecodeTokensPerSecond,
    int ContextWindow = SimulatedProfile.DefaultContextWindow)
{
    /// <summary>The context window of a profile that names none. <value>400,000.</value></summary>
    public const int DefaultContextWindow = 400_000;

    /// <summary>A GPT-5-like model: ~65 tok/s, a 400k-token window.</summary>
    public static SimulatedProfile Gpt5 { get; } = new("sim-gpt5", 350, 20_000, 65, 400_000);

    /// <summary>A fast inference chip: ~1000 tok/s, a 256k-token window.</summary>
    public static SimulatedProfile Spark { get; } = new("sim-spark", 60, 100_000, 1000, 256_000);

    /// <summary>A burst profile: ~4000 tok/s, a 256k-token window.</summary>
    public static SimulatedProfile Burst { get; } = new("sim-burst", 30, 200_000, 4000, 256_000);

    /// <summary>No delay at all (tests), a 1M-token window.</summary>
    public static SimulatedProfile Instant { get; } = new("sim-instant", 0, 0, 0, 1_000_000);

    /// <summary>The built-in profiles.</summary>
    public static IReadOnlyList<SimulatedProfile> BuiltIn { get; } = [Gpt5, Spark, Burst, Instant];

    /// <summary>The time to first token for a prompt with this many uncached tokens.</summary>
    public TimeSpan TimeToFirstToken(int uncachedTokens) => TimeSpan.FromMilliseconds(
        BaseLatencyMs + (PrefillTokensPerSecond > 0 ? uncachedTokens * 1000.0 / PrefillTokensPerSecond : 0));

    /// <summary>The time to decode this many tokens.</summary>
    public TimeSpan DecodeTime(int tokens) =>
        DecodeTokensPerSecond > 0 ? TimeSpan.FromMilliseconds(tokens * 1000.0 / DecodeTokensPerSecond) : TimeSpan.Zero;
}
