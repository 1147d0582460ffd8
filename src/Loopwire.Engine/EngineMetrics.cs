using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Loopwire.Engine;

/// <summary>
/// The engine's instruments: the GenAI server metrics (request duration, time to first token, time per output token),
/// per-stage turn durations, continuation sources and the tokens the server tokenized.
/// </summary>
/// <remarks>
/// Created from the host's <see cref="IMeterFactory"/>, which owns (and disposes) the meter. Without a factory (tests,
/// an engine built by hand) the instruments live on one process-wide meter of the same name. Thread-safe.
/// No measurement carries prompt text; the tenant only when <see cref="EngineOptions.RecordTenant"/> is on.
/// </remarks>
internal sealed class EngineMetrics
{
    public const string MeterName = "Loopwire.Engine";
    public const string RequestDurationName = "gen_ai.server.request.duration";
    public const string TimeToFirstTokenName = "gen_ai.server.time_to_first_token";
    public const string TimePerOutputTokenName = "gen_ai.server.time_per_output_token";
    public const string StageDurationName = "loopwire.turn.stage.duration";
    public const string ContinuationsName = "loopwire.continuations";
    public const string TokensRenderedName = "loopwire.tokens.rendered";
    public const string TokensInputName = "loopwire.tokens.input";
    public const string PrefixTokensReusedName = "loopwire.prefix_cache.tokens_reused";

    /// <summary>The distinct model names kept as a metric attribute; others are recorded as <see cref="OtherModel"/>.</summary>
    internal const int MaxModelNames = 100;

    /// <summary>The longest model name kept as a metric attribute; longer ones are recorded as <see cref="OtherModel"/>.</summary>
    internal const int MaxModelNameLength = 64;
    internal const string OtherModel = "_OTHER";

    private static readonly Lazy<Meter> SharedMeter = new(() => new Meter(MeterName));

    // GenAI semantic conventions' advice for these histograms (seconds).
    private static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
    // Server stages take microseconds to milliseconds; the backend's time to first token up to seconds.
    private static readonly double[] StageBuckets = [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] TokenTimeBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5];

    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _timePerOutputToken;
    private readonly Histogram<double> _stageDuration;
    private readonly Counter<long> _continuations;
    private readonly Counter<long> _tokensRendered;
    private readonly Counter<long> _tokensInput;
    private readonly Counter<long> _prefixTokensReused;
    private readonly ConcurrentDictionary<string, string> _models = new(StringComparer.Ordinal);
    private readonly bool _recordTenant;

    public EngineMetrics(IMeterFactory? meterFactory = null, bool recordTenant = false)
    {
        _recordTenant = recordTenant;
#pragma warning disable CA2000 // The meter factory owns the meters it creates and disposes them with the host.
        var meter = meterFactory?.Create(MeterName) ?? SharedMeter.Value;
#pragma warning restore CA2000
        _requestDuration = meter.CreateHistogram(RequestDurationName, "s", "Time from the request's last byte to the response's end.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _timeToFirstToken = meter.CreateHistogram(TimeToFirstTokenName, "s", "Time from the request's last byte to the first output token.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _timePerOutputToken = meter.CreateHistogram(TimePerOutputTokenName, "s", "Time per output token after the first one.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TokenTimeBuckets });
        _stageDuration = meter.CreateHistogram(StageDurationName, "s",
            "Server time per turn stage (parse, resolve, render, validate, store, backend_ttft).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StageBuckets });
        _continuations = meter.CreateCounter<long>(ContinuationsName, "{request}",
            "Where each request's previous context came from: cache, store, detached (a dropped connection's cache), prefix (a re-sent history the prefix cache knew), full (none: the whole context was sent) or not_found.");
        _tokensRendered = meter.CreateCounter<long>(TokensRenderedName, "{token}", "Tokens the server tokenized.");
        _tokensInput = meter.CreateCounter<long>(TokensInputName, "{token}", "Prompt tokens of each turn: the context the model received.");
        _prefixTokensReused = meter.CreateCounter<long>(PrefixTokensReusedName, "{token}",
            "Tokens taken from the server-side prefix cache instead of being rendered (a re-sent history).");
    }

    /// <summary>Records the tokens a turn rendered and the size of its prompt.</summary>
    public void TokensRendered(TurnTimings timings, int promptTokens)
    {
        var transport = new KeyValuePair<string, object?>("transport", timings.Transport);
        _tokensRendered.Add(timings.TokensRendered, transport);
        _tokensInput.Add(promptTokens, transport);
    }

    /// <summary>Records the tokens a turn took from the prefix cache (nothing when it took none).</summary>
    public void PrefixReused(TurnTimings timings)
    {
        if (timings.PrefixTokensReused > 0)
        {
            _prefixTokensReused.Add(timings.PrefixTokensReused, new KeyValuePair<string, object?>("transport", timings.Transport));
        }
    }

    /// <summary>Records where a request's previous context came from.</summary>
    public void Continuation(TurnTimings timings, string source) =>
        _continuations.Add(1, new KeyValuePair<string, object?>("source", source), new("transport", timings.Transport));

    /// <summary>Records the duration of each stage of a finished turn.</summary>
    public void TurnFinished(TurnTimings timings)
    {
        var tag = new KeyValuePair<string, object?>("transport", timings.Transport);
        _stageDuration.Record(timings.Parse.TotalSeconds, tag, new("stage", "parse"));
        _stageDuration.Record(timings.Resolve.TotalSeconds, tag, new("stage", "resolve"));
        _stageDuration.Record(timings.Render.TotalSeconds, tag, new("stage", "render"));
        _stageDuration.Record(timings.Validate.TotalSeconds, tag, new("stage", "validate"));
        _stageDuration.Record(timings.Store.TotalSeconds, tag, new("stage", "store"));
        _stageDuration.Record(timings.BackendTtft.TotalSeconds, tag, new("stage", "backend_ttft"));
    }

    /// <summary>Records the GenAI server metrics of a response that ended (or failed before it started).</summary>
    /// <param name="timings">The turn.</param>
    /// <param name="model">The requested model.</param>
    /// <param name="errorType">Null on success; else the error code (or <c>cancelled</c>).</param>
    /// <param name="outputTokens">Output tokens generated.</param>
    /// <param name="endedAt">When the response ended (a <see cref="Stopwatch"/> timestamp).</param>
    public void ResponseEnded(TurnTimings timings, string? model, string? errorType, int outputTokens, long endedAt)
    {
        var tags = new TagList
        {
            { "gen_ai.operation.name", EngineTelemetry.OperationName },
            { "gen_ai.provider.name", EngineTelemetry.ProviderName },
            { "gen_ai.request.model", BoundedModel(model) },
            { "loopwire.transport", timings.Transport },
        };
        if (_recordTenant && timings.Tenant is not null)
        {
            tags.Add("loopwire.tenant", timings.Tenant);
        }

        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        _requestDuration.Record(Stopwatch.GetElapsedTime(timings.StartedAt, endedAt).TotalSeconds, tags);
        if (timings.FirstOutputAt == 0)
        {
            return;
        }

        _timeToFirstToken.Record(Stopwatch.GetElapsedTime(timings.StartedAt, timings.FirstOutputAt).TotalSeconds, tags);
        if (errorType is null && outputTokens > 1)
        {
            _timePerOutputToken.Record(Stopwatch.GetElapsedTime(timings.FirstOutputAt, endedAt).TotalSeconds / (outputTokens - 1), tags);
        }
    }

    /// <summary>
    /// The model name as a metric attribute: clients choose model names (the simulated model takes any), so only the first
    /// <see cref="MaxModelNames"/> distinct ones of at most <see cref="MaxModelNameLength"/> characters are kept, to bound the
    /// series and the memory a client can make the server hold.
    /// </summary>
    private string BoundedModel(string? model)
    {
        if (string.IsNullOrEmpty(model) || model.Length > MaxModelNameLength)
        {
            return OtherModel;
        }

        if (_models.TryGetValue(model, out var kept))
        {
            return kept;
        }

        return _models.Count >= MaxModelNames ? OtherModel : _models.GetOrAdd(model, model);
    }
}
