using System.Diagnostics.Metrics;

namespace Loopwire.Engine;

/// <summary>The engine's instruments: per-stage turn durations and the tokens the server tokenized.</summary>
/// <remarks>
/// Created from the host's <see cref="IMeterFactory"/>, which owns (and disposes) the meter. Without a factory (tests,
/// an engine built by hand) the instruments live on one process-wide meter of the same name. Thread-safe.
/// </remarks>
internal sealed class EngineMetrics
{
    public const string MeterName = "Loopwire.Engine";
    public const string StageDurationName = "loopwire.turn.stage.duration";
    public const string TokensRenderedName = "loopwire.turn.tokens_rendered";

    private static readonly Lazy<Meter> SharedMeter = new(() => new Meter(MeterName));

    private readonly Histogram<double> _stageDuration;
    private readonly Counter<long> _tokensRendered;

    public EngineMetrics(IMeterFactory? meterFactory = null)
    {
#pragma warning disable CA2000 // The meter factory owns the meters it creates and disposes them with the host.
        var meter = meterFactory?.Create(MeterName) ?? SharedMeter.Value;
#pragma warning restore CA2000
        _stageDuration = meter.CreateHistogram<double>(
            StageDurationName, "ms", "Server time per turn stage (parse, resolve, render, validate, store, backend_ttft).");
        _tokensRendered = meter.CreateCounter<long>(TokensRenderedName, "{token}", "Tokens the server tokenized.");
    }

    /// <summary>Records the tokens a turn rendered.</summary>
    public void TokensRendered(TurnTimings timings) =>
        _tokensRendered.Add(timings.TokensRendered, new KeyValuePair<string, object?>("transport", timings.Transport));

    /// <summary>Records the duration of each stage of a finished turn.</summary>
    public void TurnFinished(TurnTimings timings)
    {
        var tag = new KeyValuePair<string, object?>("transport", timings.Transport);
        _stageDuration.Record(timings.Parse.TotalMilliseconds, tag, new("stage", "parse"));
        _stageDuration.Record(timings.Resolve.TotalMilliseconds, tag, new("stage", "resolve"));
        _stageDuration.Record(timings.Render.TotalMilliseconds, tag, new("stage", "render"));
        _stageDuration.Record(timings.Validate.TotalMilliseconds, tag, new("stage", "validate"));
        _stageDuration.Record(timings.Store.TotalMilliseconds, tag, new("stage", "store"));
        _stageDuration.Record(timings.BackendTtft.TotalMilliseconds, tag, new("stage", "backend_ttft"));
    }
}
