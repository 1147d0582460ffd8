using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Compaction;
using Loopwire.Engine.Context;
using Loopwire.Engine.Context.PrefixReuse;
using Loopwire.Engine.Rendering;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loopwire.Engine;

/// <summary>
/// The transport-agnostic core: resolves the context, renders new items, validates, runs the backend and yields
/// Responses events. HTTP and WebSocket call the same two methods; they differ only in their <see cref="IContextSource"/>.
/// </summary>
/// <remarks>
/// Thread-safe; one instance serves every request. The engine owns how a response ends: when the stream has yielded
/// its terminal event, <see cref="PreparedResponse.Outcome"/> holds the final object and, when it failed, the error.
/// </remarks>
public sealed partial class ResponseEngine
{
    private readonly ModelRouter _router;
    private readonly IResponseStore _store;
    private readonly ContextPreparer _preparer;
    private readonly ITokenRenderer _renderer;
    private readonly EngineTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly PrefixReuseCache? _prefixCache;

    /// <summary>Creates the engine.</summary>
    /// <param name="router">Picks the backend of a model.</param>
    /// <param name="store">The response store.</param>
    /// <param name="renderer">Renders items to tokens.</param>
    /// <param name="time">The clock of <c>created_at</c> and <c>completed_at</c>.</param>
    /// <param name="options">Limits; <see cref="EngineOptions"/>' defaults when null.</param>
    /// <param name="logger">The logger; none when null.</param>
    /// <param name="recorder">Keeps the last turns' timings; a new one when null.</param>
    /// <param name="meterFactory">Creates the engine's meter; when null the instruments live on a process-wide meter.</param>
    /// <param name="sealer">Seals compaction items; when null, an AES-GCM sealer with a key that lives as long as the engine.</param>
    /// <param name="prefixCache">The server-side prefix cache of rendered histories; none when null or disabled.</param>
    public ResponseEngine(ModelRouter router, IResponseStore store, ITokenRenderer renderer, TimeProvider time,
        EngineOptions? options = null, ILogger<ResponseEngine>? logger = null, TurnRecorder? recorder = null, IMeterFactory? meterFactory = null,
        ICompactionSealer? sealer = null, PrefixReuseCache? prefixCache = null)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(renderer);
        ArgumentNullException.ThrowIfNull(time);
        Recorder = recorder ?? new TurnRecorder();
        _router = router;
        _store = store;
        _renderer = renderer;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        options ??= new EngineOptions();
        var metrics = new EngineMetrics(meterFactory, options.RecordTenant);
        _telemetry = new EngineTelemetry(metrics, options.RecordTenant);
        Responses = new ResponseFactory(time);
        sealer ??= new AesGcmCompactionSealer();
        var prefix = prefixCache is { Enabled: true } ? new PrefixRendering(prefixCache, renderer) : null;
        _prefixCache = prefix is null ? null : prefixCache;
        _preparer = new ContextPreparer(store, renderer, time, options, metrics, router, sealer, prefix);
        Compactor = new Compactor(router, renderer, sealer);
        Finalizer = new ResponseFinalizer(store, renderer, Responses, metrics, Recorder, _logger, prefix);
    }

    /// <summary>The last turns' stage timings.</summary>
    public TurnRecorder Recorder { get; }

    /// <summary>The response store.</summary>
    public IResponseStore Store => _store;

    /// <summary>The model router.</summary>
    public ModelRouter Router => _router;

    /// <summary>Builds the response objects (pending and terminal).</summary>
    internal ResponseFactory Responses { get; }

    /// <summary>Compacts conversations (<c>/responses/compact</c>, <c>compaction_trigger</c>, <c>context_management</c>).</summary>
    internal Compactor Compactor { get; }

    /// <summary>Ends and persists responses; background runs use it for what the stream did not end.</summary>
    internal ResponseFinalizer Finalizer { get; }

    /// <summary>
    /// Resolves, validates and renders a request. Nothing is streamed yet, so an error here becomes an HTTP 4xx
    /// (or a WebSocket error event) rather than a failed response.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="source">Where <c>previous_response_id</c> is resolved; told when the turn fails.</param>
    /// <param name="timings">The turn's timings, filled in as it runs.</param>
    /// <param name="cancellationToken">Cancels the resolve.</param>
    /// <returns>The prepared response, or the error to answer with.</returns>
    public Task<PrepareResult> PrepareAsync(CreateResponseRequest request, IContextSource source, TurnTimings timings,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(timings);
        return PrepareCoreAsync(request, source, timings, cancellationToken);
    }

    private async Task<PrepareResult> PrepareCoreAsync(CreateResponseRequest request, IContextSource source, TurnTimings timings,
        CancellationToken ct)
    {
        _telemetry.Start(request, source, timings);
        PrepareResult result;
        try
        {
            result = await _preparer.PrepareAsync(request, source, timings, ct).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _telemetry.PrepareFailed(request, timings, ex is OperationCanceledException ? "cancelled" : ex.GetType().Name);
            throw;
        }

        if (result.Error is { } error)
        {
            _telemetry.PrepareFailed(request, timings, EngineTelemetry.ErrorType(error));
        }
        else
        {
            EngineTelemetry.Prepared(result.Prepared!);
        }

        return result;
    }

    /// <summary>
    /// The response object of a prepared response that has not produced output yet, e.g. <c>queued</c> or
    /// <c>in_progress</c> for a background response that a transport saves before it runs.
    /// </summary>
    /// <param name="prepared">The prepared response.</param>
    /// <param name="status">The status to report (<see cref="ResponseStatus.Queued"/> or <see cref="ResponseStatus.InProgress"/>).</param>
    /// <returns>The object with empty output and no usage.</returns>
    public ResponseObject Pending(PreparedResponse prepared, string status)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentException.ThrowIfNullOrEmpty(status);
        return Responses.Pending(prepared, status);
    }

    /// <summary>Runs the backend and yields the events of the response, ending with a terminal event.</summary>
    /// <remarks>
    /// The response is persisted (when <c>store</c>) before the terminal event is yielded, so a client that chains
    /// right after <c>response.completed</c> finds it; <see cref="PreparedResponse.Outcome"/> is set by then too.
    /// Cancelling stops the backend at once and yields nothing more.
    /// </remarks>
    public IAsyncEnumerable<ResponseEvent> StreamAsync(PreparedResponse prepared, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        return new TracedStream(this, prepared, cancellationToken);
    }

    private async IAsyncEnumerable<ResponseEvent> StreamCoreAsync(PreparedResponse p, [EnumeratorCancellation] CancellationToken ct)
    {
        var seq = new EventSequencer();
        var request = p.Request;
        var inProgress = Responses.Pending(p, ResponseStatus.InProgress);
        yield return seq.Next(new ResponseCreatedEvent { Response = inProgress });

        if (request.Generate == false)
        {
            // Warm-up: the context is cached (and stored) but the model does not run.
            var warm = Responses.Finished(p, [], new Usage { InputTokens = p.PromptTokens, TotalTokens = p.PromptTokens });
            var warmOutcome = await Finalizer.CompleteAsync(p, warm, [], ct).ConfigureAwait(false);
            yield return seq.Next(TerminalEvent(warmOutcome));
            yield break;
        }

        yield return seq.Next(new ResponseInProgressEvent { Response = inProgress });

        var builder = new OutputEventBuilder(seq, request.Include?.Contains("reasoning.encrypted_content") == true);
        long backendStart = Stopwatch.GetTimestamp();
        var backend = _router.Resolve(request.Model!);
        ModelFinished? finished = null;
        ModelFailed? failed = null;
        var view = p.ModelView;
        int promptTokens = p.PromptTokens;
        int compactionTokens = 0;
        var compaction = CompactionStep.Kind(p);
        if (compaction != CompactionKind.None)
        {
            // Compact first: a trigger answers with the compaction item alone; context_management then samples from it.
            string itemId = Ids.NewItemId("cmp");
            foreach (var e in builder.BeginCompaction(itemId))
            {
                yield return e;
            }

            var compacted = await CompactionStep.RunAsync(Compactor, view, request, _logger, p.Id, ct).ConfigureAwait(false);
            if (compacted.Failure is not null)
            {
                failed = compacted.Failure;
            }
            else
            {
                var item = compacted.Item! with { Id = itemId };
                foreach (var e in builder.AddCompaction(item))
                {
                    yield return e;
                }

                compactionTokens = compacted.OutputTokens;
                if (compaction == CompactionKind.Trigger)
                {
                    finished = new ModelFinished(0);
                }
                else
                {
                    view = Compactor.Compacted(view, item);
                    promptTokens = view.Rendered!.TotalTokens;
                }
            }
        }

        // Current while the backend runs, so an upstream HTTP request carries it as its traceparent.
        var backendSpan = EngineTelemetry.StartStage(p.Timings, "backend");
        backendSpan?.SetTag("loopwire.backend", EngineTelemetry.BackendKind(backend.GetType()));
        IAsyncEnumerator<ModelChunk>? chunks = null;
        int cached = 0;
        bool stopped = false;
        long streamedChars = 0;
        // A steer or an interrupt stops the backend through this token; the client going away through ct.
        using var backendToken = CancellationTokenSource.CreateLinkedTokenSource(ct, p.Stop.Token);
        try
        {
            if (finished is null && failed is null)
            {
                var modelRequest = new ModelRequest(request.Model!, view, request) { ResponseId = p.Id, Stop = p.Stop, SteerSuccessor = p.SteerSuccessor };
                chunks = backend.StreamAsync(modelRequest, backendToken.Token).GetAsyncEnumerator(backendToken.Token);
            }

            while (finished is null && failed is null)
            {
                ModelChunk chunk;
                // Only with a span to make current (tracing on): Activity.Current is an async-local, read and written per chunk.
                var outer = backendSpan is not null ? Activity.Current : null;
                try
                {
                    if (backendSpan is not null)
                    {
                        Activity.Current = backendSpan;
                    }

                    if (!await chunks!.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    chunk = chunks.Current;
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    p.Source.OnCancelled(request.PreviousResponseId);
                    EngineLog.ResponseCancelled(_logger, p.Id, TurnTimings.Since(backendStart).TotalMilliseconds);
                    throw;
                }
                catch (OperationCanceledException) when (p.Stop.Reason is not null)
                {
                    stopped = true;
                    break;
                }
                catch (Exception ex)
                {
                    EngineLog.BackendCrashed(_logger, ex, p.Id);
                    failed = new ModelFailed(ErrorCodes.ServerError, "The model backend failed: " + ex.Message);
                    break;
                }
                finally
                {
                    if (backendSpan is not null)
                    {
                        Activity.Current = outer;
                    }
                }

                if (p.Stop.Reason is not null && chunk is ReasoningDelta or TextDelta or ToolCallStart or ToolCallArgumentsDelta
                    && (p.Stop.DiscardPartial || builder.Cuttable || !builder.Continues(chunk)))
                {
                    // Step: a steer finishes the tool call or reasoning item being written, and cuts a message where it is.
                    stopped = true;
                    break;
                }

                switch (chunk)
                {
                    case PromptProcessed pp:
                        cached = pp.CachedTokens;
                        p.Timings.BackendTtft = TurnTimings.Since(backendStart);
                        backendSpan?.SetTag("loopwire.backend.time_to_first_token", p.Timings.BackendTtft.TotalSeconds);
                        backendSpan?.AddEvent(new ActivityEvent("prompt_processed"));
                        break;
                    case ModelFinished f:
                        finished = f;
                        break;
                    case ModelFailed f:
                        failed = f;
                        break;
                    default:
                        if (p.Timings.FirstOutputAt == 0)
                        {
                            p.Timings.FirstOutputAt = Stopwatch.GetTimestamp();
                            backendSpan?.AddEvent(new ActivityEvent("first_token"));
                        }

                        streamedChars += chunk switch
                        {
                            TextDelta t => t.Text.Length,
                            ReasoningDelta r => r.Text.Length,
                            ToolCallArgumentsDelta a => a.Delta.Length,
                            _ => 0,
                        };
                        if (builder.TryAddDelta(chunk, out var delta))
                        {
                            yield return delta;
                        }
                        else
                        {
                            foreach (var e in builder.Add(chunk))
                            {
                                yield return e;
                            }
                        }

                        p.Stop.SetCuttable(builder.Cuttable);
                        break;
                }
            }
        }
        finally
        {
            if (chunks is not null)
            {
                await chunks.DisposeAsync().ConfigureAwait(false);
            }

            if (failed is not null)
            {
                backendSpan?.SetStatus(ActivityStatusCode.Error, failed.Code);
                backendSpan?.SetTag("error.type", failed.Code);
            }

            EngineTelemetry.Stop(backendSpan);
        }

        p.Timings.Backend = TurnTimings.Since(backendStart);
        if (stopped)
        {
            if (p.Stop.DiscardPartial)
            {
                builder.Discard();
            }

            finished = new ModelFinished(OutputTokens(builder, streamedChars), p.Stop.Reason);
        }

        // The item still open when the model stopped early was cut off: clients must not run a half-written call.
        foreach (var e in builder.Close(finished is { IncompleteReason: null } ? ResponseStatus.Completed : ResponseStatus.Incomplete))
        {
            yield return e;
        }

        ResponseOutcome outcome;
        if (failed is not null || finished is null)
        {
            failed ??= new ModelFailed(ErrorCodes.ServerError, "The model backend ended without finishing the response.");
            outcome = Finalizer.Fail(p, new ProtocolError(failed.Status, failed.Type, failed.Code, failed.Message, null), builder.Output);
        }
        else
        {
            int inputTokens = finished.InputTokens ?? promptTokens;
            int outputTokens = finished.OutputTokens + compactionTokens;
            var usage = new Usage
            {
                InputTokens = inputTokens,
                InputTokensDetails = new InputTokensDetails { CachedTokens = Math.Min(finished.CachedTokens ?? cached, inputTokens) },
                OutputTokens = outputTokens,
                OutputTokensDetails = new OutputTokensDetails { ReasoningTokens = finished.ReasoningTokens },
                TotalTokens = inputTokens + outputTokens,
            };
            var final = Responses.Finished(p, builder.Output, usage, finished.IncompleteReason);
            outcome = await Finalizer.CompleteAsync(p, final, builder.Output, ct).ConfigureAwait(false);
        }

        yield return seq.Next(TerminalEvent(outcome));
    }

    /// <summary>The output tokens of a response the engine stopped: the kept items' text, counted by the renderer.</summary>
    private int OutputTokens(OutputEventBuilder builder, long streamedChars)
    {
        int tokens = 0;
        foreach (var item in builder.Output)
        {
            tokens += item switch
            {
                Protocol.Items.MessageItem m => _renderer.CountTokens(m.Content.JoinedText()),
                Protocol.Items.FunctionCallItem f => _renderer.CountTokens(f.Name) + _renderer.CountTokens(f.Arguments) + 4,
                Protocol.Items.ReasoningItem r => r.Summary?.Sum(s => _renderer.CountTokens(s.Text ?? "")) ?? 0,
                _ => 0,
            };
        }

        // What was streamed and then discarded was generated too; a rough 4 characters per token.
        return Math.Max(tokens, (int)Math.Min(int.MaxValue, streamedChars / 4));
    }

    private static ResponseEvent TerminalEvent(ResponseOutcome outcome) => outcome.Response.Status switch
    {
        ResponseStatus.Completed => new ResponseCompletedEvent { Response = outcome.Response },
        ResponseStatus.Incomplete => new ResponseIncompleteEvent { Response = outcome.Response },
        _ => new ResponseFailedEvent { Response = outcome.Response },
    };
}
