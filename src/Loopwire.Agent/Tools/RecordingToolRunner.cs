using System.Text.Json;

namespace Loopwire.Agent.Tools;

/// <summary>A decorator that records what another runner returns, for <see cref="RecordedToolRunner"/> to replay.</summary>
/// <remarks>
/// Calls are recorded in the order they start (parallel calls of one turn keep the order the agent issued them in).
/// Calls that throw (cancellation) are not recorded. Thread-safe.
/// </remarks>
public sealed class RecordingToolRunner : DelegatingToolRunner
{
    private readonly List<RecordedToolCall?> _calls = [];
    private readonly Lock _lock = new();

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The runner whose results are recorded.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is null.</exception>
    public RecordingToolRunner(IToolRunner inner)
        : base(inner)
    {
    }

    /// <inheritdoc />
    public override async Task<ToolResult> RunAsync(ToolCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        int slot;
        lock (_lock)
        {
            slot = _calls.Count;
            _calls.Add(null);
        }

        var result = await base.RunAsync(call, cancellationToken).ConfigureAwait(false);
        using var arguments = JsonDocument.Parse(ToolArguments.Canonicalize(call.ArgumentsJson));
        var recorded = new RecordedToolCall
        {
            Name = call.Name,
            Arguments = arguments.RootElement.Clone(),
            Output = result.Output,
            IsError = result.IsError,
        };
        lock (_lock)
        {
            _calls[slot] = recorded;
        }

        return result;
    }

    /// <summary>Returns what has been recorded so far.</summary>
    /// <param name="scenarioName">The scenario name to store in the recording.</param>
    /// <returns>A snapshot of the completed calls, in start order.</returns>
    public ToolRecording ToRecording(string? scenarioName = null)
    {
        lock (_lock)
        {
            return new ToolRecording { Scenario = scenarioName, Calls = [.. _calls.OfType<RecordedToolCall>()] };
        }
    }
}
