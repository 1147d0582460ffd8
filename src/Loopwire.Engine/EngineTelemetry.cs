using System.Diagnostics;
using Loopwire.Engine.Context;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;

namespace Loopwire.Engine;

/// <summary>
/// The engine's traces: one span per response (OpenTelemetry GenAI conventions plus <c>loopwire.*</c> attributes) with a
/// child span per stage, and the GenAI metrics recorded when the response ends.
/// </summary>
/// <remarks>
/// <para>Stage spans other than <c>backend</c> are recorded after the fact from the turn's own timestamps, so they are exactly
/// the durations of <c>loopwire.turn.stage.duration</c> and need no ambient <see cref="Activity.Current"/>. The
/// <c>backend</c> span is live: it is <see cref="Activity.Current"/> while the backend runs, so an upstream HTTP call
/// carries it as its <c>traceparent</c>.</para>
/// <para>Nothing here records prompt or output text; the tenant only when <see cref="EngineOptions.RecordTenant"/> is on.
/// With no listener on <see cref="ActivitySourceName"/> every span call is a null check. Thread-safe.</para>
/// </remarks>
internal sealed class EngineTelemetry(EngineMetrics metrics, bool recordTenant)
{
    /// <summary>The name of the engine's <see cref="ActivitySource"/>.</summary>
    public const string ActivitySourceName = "Loopwire.Engine";

    /// <summary>The GenAI operation every response is (<c>gen_ai.operation.name</c>).</summary>
    public const string OperationName = "chat";

    /// <summary>The GenAI provider as clients see it (<c>gen_ai.provider.name</c>); the backend kind is <c>loopwire.backend</c>.</summary>
    public const string ProviderName = "loopwire";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    // Model names come from clients; a span keeps at most this much of one.
    private const int MaxModelLength = 128;

    public EngineMetrics Metrics => metrics;

    /// <summary>Starts a turn's clock (at the message's last byte, before parse) and its span, with a <c>parse</c> child.</summary>
    public void Start(CreateResponseRequest request, IContextSource source, TurnTimings timings)
    {
        long now = Stopwatch.GetTimestamp();
        timings.StartedAt = now - (long)(timings.Parse.TotalSeconds * Stopwatch.Frequency);
        timings.Tenant = source.Tenant;
        if (!Source.HasListeners())
        {
            return;
        }

        var saved = Activity.Current;
        try
        {
            ActivityLink[]? links = null;
            if (timings.Connection != default)
            {
                // A turn on a long-lived connection is a trace of its own, linked to the connection's span.
                Activity.Current = null;
                links = [new ActivityLink(timings.Connection)];
            }

            // Activity timestamps come from the system clock, so the back-dated start does too.
            var startTime = DateTimeOffset.UtcNow - timings.Parse;
            string? model = Truncate(request.Model);
            var span = Source.StartActivity(ActivityKind.Internal, default, null, links, startTime, $"{OperationName} {model}");
            if (span is null)
            {
                return;
            }

            timings.Activity = span;
            span.SetTag("gen_ai.operation.name", OperationName);
            span.SetTag("gen_ai.provider.name", ProviderName);
            span.SetTag("gen_ai.request.model", model);
            span.SetTag("loopwire.transport", timings.Transport);
            if (recordTenant && source.Tenant is not null)
            {
                span.SetTag("loopwire.tenant", source.Tenant);
            }

            Stage(timings, "parse", timings.StartedAt, now);
        }
        finally
        {
            Activity.Current = saved;
        }
    }

    /// <summary>Ends the span and records the metrics of a turn that failed before it streamed.</summary>
    public void PrepareFailed(CreateResponseRequest request, TurnTimings timings, string errorType)
    {
        if (timings.Activity is { } span)
        {
            SetContinuation(span, timings);
            span.SetTag("error.type", errorType);
            span.SetStatus(ActivityStatusCode.Error, errorType);
            Stop(span);
            timings.Activity = null;
        }

        metrics.ResponseEnded(timings, request.Model, errorType, 0, Stopwatch.GetTimestamp());
    }

    /// <summary>Tags the span of a turn that passed preparation with its response id.</summary>
    public static void Prepared(PreparedResponse p)
    {
        if (p.Timings.Activity is { } span)
        {
            span.SetTag("gen_ai.response.id", p.Id);
            SetContinuation(span, p.Timings);
        }
    }

    /// <summary>Ends the span and records the metrics of a response whose stream ended (a null outcome: cancelled).</summary>
    public void Ended(PreparedResponse p)
    {
        var timings = p.Timings;
        var outcome = p.Outcome;
        string? errorType = outcome is null ? "cancelled" : outcome.Error is { } e ? e.Code ?? e.Type : null;
        var usage = outcome?.Response.Usage;
        if (timings.Activity is { } span)
        {
            span.SetTag("gen_ai.response.model", Truncate(p.Request.Model));
            span.SetTag("loopwire.tokens_rendered", timings.TokensRendered);
            span.SetTag("loopwire.items_received", timings.ItemsReceived);
            if (usage is not null)
            {
                span.SetTag("gen_ai.usage.input_tokens", usage.InputTokens);
                span.SetTag("gen_ai.usage.output_tokens", usage.OutputTokens);
                span.SetTag("gen_ai.usage.cache_read.input_tokens", usage.InputTokensDetails.CachedTokens);
            }

            if (outcome is not null)
            {
                span.SetTag("gen_ai.response.finish_reasons", new[] { FinishReason(outcome.Response) });
            }

            if (errorType is not null)
            {
                span.SetTag("error.type", errorType);
                span.SetStatus(ActivityStatusCode.Error, errorType);
            }

            Stop(span);
            timings.Activity = null;
        }

        metrics.ResponseEnded(timings, p.Request.Model, errorType, usage?.OutputTokens ?? 0, Stopwatch.GetTimestamp());
    }

    /// <summary>The error type of a prepare error, for <c>error.type</c>.</summary>
    public static string ErrorType(ProtocolError error) => error.Code ?? error.Type;

    /// <summary>Records a finished stage as a child of the turn's span, from <see cref="Stopwatch"/> timestamps.</summary>
    public static void Stage(TurnTimings timings, string name, long start, long end)
    {
        if (timings.Activity is not { } parent)
        {
            return;
        }

        var saved = Activity.Current;
        var startTime = parent.StartTimeUtc + Stopwatch.GetElapsedTime(timings.StartedAt, start);
        var stage = Source.StartActivity(name, ActivityKind.Internal, parent.Context, startTime: new DateTimeOffset(startTime, TimeSpan.Zero));
        if (stage is not null)
        {
            stage.SetEndTime(startTime + Stopwatch.GetElapsedTime(start, end));
            stage.Stop();
        }

        Activity.Current = saved;
    }

    /// <summary>Starts a live stage span (not made current); null when the turn has no span.</summary>
    public static Activity? StartStage(TurnTimings timings, string name)
    {
        if (timings.Activity is not { } parent)
        {
            return null;
        }

        var saved = Activity.Current;
        var stage = Source.StartActivity(name, ActivityKind.Internal, parent.Context);
        Activity.Current = saved;
        return stage;
    }

    /// <summary>Stops a span without changing <see cref="Activity.Current"/>.</summary>
    public static void Stop(Activity? span)
    {
        if (span is null)
        {
            return;
        }

        var saved = Activity.Current;
        span.Stop();
        Activity.Current = saved;
    }

    /// <summary>The backend kind of a backend type, e.g. <c>simulated</c> for <c>SimulatedBackend</c> (<c>loopwire.backend</c>).</summary>
    public static string BackendKind(Type backend)
    {
        string name = backend.Name;
        return (name.EndsWith("Backend", StringComparison.Ordinal) ? name[..^"Backend".Length] : name).ToLowerInvariant();
    }

    /// <summary>A client-chosen model name cut to <see cref="MaxModelLength"/> characters for spans.</summary>
    private static string? Truncate(string? model) => model is { Length: > MaxModelLength } ? model[..MaxModelLength] : model;

    private static void SetContinuation(Activity span, TurnTimings timings)
    {
        if (timings.Continuation is not null)
        {
            span.SetTag("loopwire.continuation", timings.Continuation);
        }
    }

    private static string FinishReason(ResponseObject response) => response.Status switch
    {
        ResponseStatus.Completed => "stop",
        ResponseStatus.Incomplete => response.IncompleteDetails?.Reason ?? "incomplete",
        _ => response.Status,
    };
}
