namespace Loopwire.Agent.Tools;

/// <summary>The latency of one tool: a log-normal distribution given by its median and its spread.</summary>
/// <param name="Median">The median delay.</param>
/// <param name="Jitter">
/// The standard deviation of the delay's natural logarithm (0 = always the median; 0.5 puts about two thirds of the
/// calls between 0.6x and 1.65x the median).
/// </param>
public readonly record struct ToolLatency(TimeSpan Median, double Jitter = 0);

/// <summary>How long simulated tool calls take, per tool, for <see cref="RecordedToolRunner"/>.</summary>
/// <remarks>Immutable and thread-safe. Samples are capped at 20 times the median.</remarks>
public sealed class LatencyModel
{
    private readonly Dictionary<string, ToolLatency> _perTool;

    /// <summary>Creates a model.</summary>
    /// <param name="perTool">The latency of each tool, by tool name.</param>
    /// <param name="fallback">The latency of tools not in <paramref name="perTool"/>. <value>Default: zero.</value></param>
    /// <exception cref="ArgumentOutOfRangeException">A median is negative or a jitter is negative or not finite.</exception>
    public LatencyModel(IReadOnlyDictionary<string, ToolLatency> perTool, ToolLatency fallback = default)
    {
        ArgumentNullException.ThrowIfNull(perTool);
        foreach (var latency in perTool.Values.Append(fallback))
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(latency.Median, TimeSpan.Zero, nameof(perTool));
            if (!double.IsFinite(latency.Jitter) || latency.Jitter < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(perTool), latency.Jitter, "jitter must be finite and not negative");
            }
        }

        _perTool = new Dictionary<string, ToolLatency>(perTool, StringComparer.Ordinal);
        Fallback = fallback;
    }

    /// <summary>No delay at all.</summary>
    public static LatencyModel None { get; } = new(new Dictionary<string, ToolLatency>());

    /// <summary>
    /// Typical latencies of a local sandbox: <c>list_files</c> 5 ms, <c>grep</c> 15 ms, <c>read_file</c> 3 ms,
    /// <c>edit_file</c> 4 ms (jitter 0.3 each), <c>run_tests</c> 1.5 s (jitter 0.25); other tools 5 ms.
    /// </summary>
    public static LatencyModel Default { get; } = new(
        new Dictionary<string, ToolLatency>
        {
            [CodingTools.ListFiles] = new(TimeSpan.FromMilliseconds(5), 0.3),
            [CodingTools.Grep] = new(TimeSpan.FromMilliseconds(15), 0.3),
            [CodingTools.ReadFile] = new(TimeSpan.FromMilliseconds(3), 0.3),
            [CodingTools.EditFile] = new(TimeSpan.FromMilliseconds(4), 0.3),
            [CodingTools.RunTests] = new(TimeSpan.FromMilliseconds(1500), 0.25),
        },
        new ToolLatency(TimeSpan.FromMilliseconds(5), 0.3));

    /// <summary>The latency of tools without their own entry.</summary>
    public ToolLatency Fallback { get; }

    /// <summary>Returns the latency of a tool.</summary>
    /// <param name="toolName">The tool name.</param>
    /// <returns>Its entry, or <see cref="Fallback"/>.</returns>
    public ToolLatency For(string toolName) => _perTool.TryGetValue(toolName, out var latency) ? latency : Fallback;

    /// <summary>Draws a delay for a tool.</summary>
    /// <param name="toolName">The tool name.</param>
    /// <param name="standardNormal">A standard normal sample, supplied by the caller so that delays are reproducible.</param>
    /// <returns>The delay, between zero and 20 times the median.</returns>
    public TimeSpan Sample(string toolName, double standardNormal)
    {
        var latency = For(toolName);
        if (latency.Median <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        double factor = Math.Min(Math.Exp(latency.Jitter * standardNormal), 20);
        return TimeSpan.FromTicks((long)(latency.Median.Ticks * factor));
    }
}
