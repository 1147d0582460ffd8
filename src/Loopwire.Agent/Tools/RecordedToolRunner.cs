using Loopwire.Protocol.Requests;

namespace Loopwire.Agent.Tools;

/// <summary>A mock tool runner that replays a <see cref="ToolRecording"/> with simulated latency.</summary>
/// <remarks>
/// <para>
/// Calls are keyed by tool name and canonical arguments (object keys sorted, whitespace removed), so the model may
/// format its arguments freely. The k-th call with a key gets the k-th recorded result for that key (so <c>run_tests</c>
/// before and after a fix differ); calls beyond the recorded ones repeat the last result. An unknown call gets the error
/// result <c>no recording for ...</c>.
/// </para>
/// <para>
/// Each call waits a delay drawn from the <see cref="LatencyModel"/>. The draw depends only on the seed, the key and the
/// occurrence, so runs are reproducible even when calls run in parallel. Delays use the <see cref="TimeProvider"/>, so
/// tests can drive them with a fake clock. Thread-safe.
/// </para>
/// </remarks>
public sealed class RecordedToolRunner : IToolRunner
{
    private readonly Dictionary<string, List<RecordedToolCall>> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _occurrences = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly LatencyModel _latency;
    private readonly int _seed;
    private readonly TimeProvider _time;

    /// <summary>Creates a runner that replays <paramref name="recording"/>.</summary>
    /// <param name="recording">The recorded calls.</param>
    /// <param name="latency">Simulated tool latency. <value>Default: <see cref="LatencyModel.None"/>.</value></param>
    /// <param name="seed">The seed of the latency draws. <value>Default 0.</value></param>
    /// <param name="timeProvider">The clock of the delays. <value>Default: <see cref="TimeProvider.System"/>.</value></param>
    public RecordedToolRunner(ToolRecording recording, LatencyModel? latency = null, int seed = 0, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(recording);
        foreach (var call in recording.Calls)
        {
            var key = Key(call.Name, ToolArguments.Canonicalize(call.Arguments.GetRawText()));
            if (!_byKey.TryGetValue(key, out var list))
            {
                _byKey[key] = list = [];
            }

            list.Add(call);
        }

        _latency = latency ?? LatencyModel.None;
        _seed = seed;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public IReadOnlyList<ToolDefinition> Definitions => CodingTools.Definitions;

    /// <inheritdoc />
    public async Task<ToolResult> RunAsync(ToolCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        cancellationToken.ThrowIfCancellationRequested();
        var canonical = ToolArguments.Canonicalize(call.ArgumentsJson);
        var key = Key(call.Name, canonical);
        RecordedToolCall? recorded = null;
        int occurrence;
        lock (_lock)
        {
            _occurrences.TryGetValue(key, out occurrence);
            _occurrences[key] = occurrence + 1;
            if (_byKey.TryGetValue(key, out var list))
            {
                recorded = list[Math.Min(occurrence, list.Count - 1)];
            }
        }

        var delay = GetDelay(call.Name, canonical, occurrence);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }

        return recorded?.ToResult() ?? ToolResult.Error($"no recording for {call.Name} {canonical}");
    }

    internal TimeSpan GetDelay(string name, string canonicalArguments, int occurrence)
    {
        var random = new StableRandom(_seed, $"{Key(name, canonicalArguments)}\n{occurrence}");
        return _latency.Sample(name, random.NextGaussian());
    }

    private static string Key(string name, string canonicalArguments) => name + "\n" + canonicalArguments;
}
