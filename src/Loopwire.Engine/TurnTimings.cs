using System.Diagnostics;

namespace Loopwire.Engine;

/// <summary>Where a turn's server time went, stage by stage, plus what it rendered.</summary>
/// <remarks>Filled by the transport (parse) and the engine (the rest). Read it after the stream ended.</remarks>
public sealed class TurnTimings
{
    /// <summary>The transport: <c>http</c>, <c>sse</c> or <c>ws</c>.</summary>
    public required string Transport { get; init; }

    /// <summary>Body bytes to request object.</summary>
    public TimeSpan Parse { get; set; }

    /// <summary>Finding the previous context (cache or store load).</summary>
    public TimeSpan Resolve { get; set; }

    /// <summary>Tokenizing items.</summary>
    public TimeSpan Render { get; set; }

    /// <summary>Tokenizing the model's output items after it finished (kept for the next turn).</summary>
    public TimeSpan RenderOutput { get; set; }

    /// <summary>Checks that need the conversation (call ids, item references, context length).</summary>
    public TimeSpan Validate { get; set; }

    /// <summary>Persisting the response.</summary>
    public TimeSpan Store { get; set; }

    /// <summary>From the backend call to the prompt being processed (the model's TTFT).</summary>
    public TimeSpan BackendTtft { get; set; }

    /// <summary>The whole backend stream.</summary>
    public TimeSpan Backend { get; set; }

    /// <summary>Parse + resolve + render + validate: the server's overhead before the model is called.</summary>
    public TimeSpan Overhead => Parse + Resolve + Render + Validate;

    /// <summary>Items tokenized this turn.</summary>
    public int ItemsRendered { get; set; }

    /// <summary>Tokens produced by tokenizing this turn.</summary>
    public int TokensRendered { get; set; }

    /// <summary>Items the client sent.</summary>
    public int ItemsReceived { get; set; }

    /// <summary>Whether the previous context came from the connection cache.</summary>
    public bool FromCache { get; set; }

    /// <summary>
    /// The span of the connection this turn runs on (a WebSocket); the turn's span starts a trace of its own linked to it.
    /// <value>default: none, the turn's span is a child of the current activity.</value>
    /// </summary>
    public ActivityContext Connection { get; init; }

    /// <summary>The tenant the turn runs for, kept in <see cref="TurnRecord"/> so admin reads are scoped to it.</summary>
    internal string? Tenant { get; set; }

    /// <summary>Where the previous context came from: <c>cache</c>, <c>store</c>, <c>full</c> or <c>not_found</c>.</summary>
    internal string? Continuation { get; set; }

    /// <summary>Tokens taken from the prefix cache instead of being rendered.</summary>
    internal int PrefixTokensReused { get; set; }

    /// <summary>The response span, while the turn runs; null when nobody listens.</summary>
    internal Activity? Activity { get; set; }

    /// <summary>When the turn started (a <see cref="Stopwatch"/> timestamp: the message's last byte, before parse).</summary>
    internal long StartedAt { get; set; }

    /// <summary>When the backend produced the first output (a <see cref="Stopwatch"/> timestamp); 0 before that.</summary>
    internal long FirstOutputAt { get; set; }

    /// <summary>Measures an interval from <paramref name="start"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public static TimeSpan Since(long start) => Stopwatch.GetElapsedTime(start);
}
