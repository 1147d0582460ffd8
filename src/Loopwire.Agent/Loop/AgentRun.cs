using Loopwire.Agent.Tools;
using Loopwire.Client.Sessions;

namespace Loopwire.Agent.Loop;

/// <summary>What happened in one model call of the loop.</summary>
/// <param name="Index">0-based turn number.</param>
/// <param name="ResponseId">The id of the response this turn produced.</param>
/// <param name="Calls">The tool calls the model asked for, with their results.</param>
/// <param name="Metrics">The client's measurements of the model call (bytes, TTFT, replays...).</param>
/// <param name="ToolTime">Wall time of this turn's tool calls (run in parallel).</param>
/// <param name="FinalText">The answer, on the last turn.</param>
public sealed record AgentTurn(int Index, string ResponseId, IReadOnlyList<(ToolCall Call, ToolResult Result)> Calls, TurnMetrics Metrics, TimeSpan ToolTime,
    string? FinalText);

/// <summary>Why the loop stopped.</summary>
public enum AgentStopReason
{
    /// <summary>The model answered without tool calls.</summary>
    Answered,

    /// <summary>The iteration cap was reached.</summary>
    IterationCap,

    /// <summary>Too many turns in a row had only failed tool calls.</summary>
    ToolErrors,
}

/// <summary>The result of a task.</summary>
public sealed record AgentRunResult(IReadOnlyList<AgentTurn> Turns, AgentStopReason StopReason, string? FinalText, TimeSpan Elapsed)
{
    /// <summary>Tool calls over all turns.</summary>
    public int ToolCalls => Turns.Sum(t => t.Calls.Count);

    /// <summary>Bytes the client sent.</summary>
    public long BytesSent => Turns.Sum(t => t.Metrics.BytesSent);

    /// <summary>Bytes the client received.</summary>
    public long BytesReceived => Turns.Sum(t => t.Metrics.BytesReceived);

    /// <summary>Full-context replays the session made after losing the chain.</summary>
    public int Replays => Turns.Sum(t => t.Metrics.Replays);

    /// <summary>Reconnections the session made.</summary>
    public int Reconnects => Turns.Sum(t => t.Metrics.Reconnects);
}
