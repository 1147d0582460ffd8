using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Context;
using Loopwire.Engine.Rendering;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loopwire.Engine;

/// <summary>Engine limits and behaviour.</summary>
public sealed class EngineOptions
{
    /// <summary>The largest context, in tokens, a request may reach. <value>1,000,000.</value></summary>
    public int MaxContextTokens { get; set; } = 1_000_000;

    /// <summary>The most input items one request may carry. <value>10,000.</value></summary>
    public int MaxItemsPerRequest { get; set; } = 10_000;
}

/// <summary>A request that passed validation and is ready to stream.</summary>
public sealed class PreparedResponse
{
    internal PreparedResponse(string id, CreateResponseRequest request, ConversationState state, IContextSource source,
        IReadOnlyList<ResponseItem> input, int promptTokens, long createdAt, TurnTimings timings)
    {
        Id = id;
        Request = request;
        State = state;
        Source = source;
        Input = input;
        PromptTokens = promptTokens;
        CreatedAt = createdAt;
        Timings = timings;
    }

    /// <summary>The new response id.</summary>
    public string Id { get; }

    /// <summary>The request.</summary>
    public CreateResponseRequest Request { get; }

    /// <summary>The conversation, including this request's input.</summary>
    public ConversationState State { get; }

    /// <summary>Where the context came from; told about completion or failure.</summary>
    public IContextSource Source { get; }

    /// <summary>This request's own input items (with ids, as stored).</summary>
    public IReadOnlyList<ResponseItem> Input { get; }

    /// <summary>Prompt tokens (header + all items).</summary>
    public int PromptTokens { get; }

    /// <summary>Unix seconds.</summary>
    public long CreatedAt { get; }

    /// <summary>Stage timings, completed as the stream runs.</summary>
    public TurnTimings Timings { get; }

    /// <summary>The final response object once the stream has ended.</summary>
    public ResponseObject? Final { get; internal set; }

    /// <summary>Why the response failed (status, type, code, message), once it has; null otherwise.</summary>
    /// <remarks>A non-streaming transport answers with this status: an upstream's 4xx, 502/504 for upstream failures.</remarks>
    public ProtocolError? Error { get; internal set; }
}

/// <summary>The result of <see cref="ResponseEngine.PrepareAsync"/>: a prepared response or an error.</summary>
public sealed record PrepareResult(PreparedResponse? Prepared, ProtocolError? Error);

/// <summary>
/// The transport-agnostic core: resolves the context, renders new items, validates, runs the backend and yields
/// Responses events. HTTP and WebSocket call the same two methods; they differ only in their <see cref="IContextSource"/>.
/// </summary>
/// <remarks>Thread-safe; one instance serves every request.</remarks>
public sealed class ResponseEngine
{
    private static readonly Meter Meter = new("Loopwire.Engine");
    private static readonly Histogram<double> StageDuration = Meter.CreateHistogram<double>(
        "loopwire.turn.stage.duration", "ms", "Server time per turn stage (parse, resolve, render, validate, store, backend_ttft).");
    private static readonly Counter<long> TokensRendered = Meter.CreateCounter<long>(
        "loopwire.turn.tokens_rendered", "{token}", "Tokens the server tokenized.");

    private readonly ModelRouter _router;
    private readonly IResponseStore _store;
    private readonly ITokenRenderer _renderer;
    private readonly TimeProvider _time;
    private readonly EngineOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the engine.</summary>
    public ResponseEngine(ModelRouter router, IResponseStore store, ITokenRenderer renderer, TimeProvider time,
        EngineOptions? options = null, ILogger<ResponseEngine>? logger = null, TurnRecorder? recorder = null)
    {
        Recorder = recorder ?? new TurnRecorder();
        _router = router;
        _store = store;
        _renderer = renderer;
        _time = time;
        _options = options ?? new EngineOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The last turns' stage timings.</summary>
    public TurnRecorder Recorder { get; }

    /// <summary>The response store.</summary>
    public IResponseStore Store => _store;

    /// <summary>The model router.</summary>
    public ModelRouter Router => _router;

    /// <summary>
    /// Resolves, validates and renders a request. Nothing is streamed yet, so an error here becomes an HTTP 4xx
    /// (or a WebSocket error event) rather than a failed response.
    /// </summary>
    /// <remarks>
    /// Step 1 resolve <c>previous_response_id</c>; Step 2 check the new input against the context; Step 3 render only
    /// what is not rendered yet and append. An error after Step 3 has started tells the source the turn failed.
    /// </remarks>
    public async Task<PrepareResult> PrepareAsync(CreateResponseRequest request, IContextSource source, TurnTimings timings,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(source);
        var input = request.Input ?? [];
        timings.ItemsReceived = input.Count;
        if (input.Count > _options.MaxItemsPerRequest)
        {
            return Fail(ProtocolError.Invalid(
                $"Too many input items: {input.Count}; the limit is {_options.MaxItemsPerRequest} (Loopwire:MaxItemsPerRequest).", "input", "too_many_items"));
        }

        // Step 1: resolve the context.
        long t = Stopwatch.GetTimestamp();
        ConversationState state;
        if (request.PreviousResponseId is { } prev)
        {
            var resolution = await source.ResolveAsync(prev, cancellationToken).ConfigureAwait(false);
            if (resolution.State is null)
            {
                return Fail(resolution.Error ?? ProtocolError.PreviousResponseNotFound(prev));
            }

            state = resolution.State;
            timings.FromCache = resolution.FromCache;
        }
        else
        {
            state = new ConversationState { Persisted = true };
        }

        timings.Resolve = TurnTimings.Since(t);

        // Step 2: validate the new input against the context, without changing the context.
        t = Stopwatch.GetTimestamp();
        if (input.Any(i => i is ItemReferenceItem))
        {
            var (resolved, refError) = await ResolveReferencesAsync(input, source.Tenant, cancellationToken).ConfigureAwait(false);
            if (refError is not null)
            {
                return Fail(refError);
            }

            input = resolved!;
        }

        if (ValidateCalls(state, input) is { } callError)
        {
            return Fail(callError);
        }

        timings.Validate = TurnTimings.Since(t);

        // Step 3: render what is new and append it.
        t = Stopwatch.GetTimestamp();
        string? instructions = InstructionsText(request.Instructions);
        var rendered = state.Rendered;
        if (rendered is null)
        {
            rendered = new RenderedContext(_renderer.RenderHeader(instructions, request.Tools));
            timings.TokensRendered += rendered.Header.Length;
            foreach (var item in state.Items)
            {
                var tokens = _renderer.RenderItem(item);
                rendered.Append(tokens);
                state.AddBytes(Approx(tokens));
                timings.ItemsRendered++;
                timings.TokensRendered += tokens.Length;
            }
        }
        else if (instructions != state.Instructions || !ToolsEqual(request.Tools, state.Tools))
        {
            rendered = rendered.WithHeader(_renderer.RenderHeader(instructions, request.Tools));
            timings.TokensRendered += rendered.Header.Length;
        }

        state.Rendered = rendered;
        state.Instructions = instructions;
        state.Tools = request.Tools;
        state.Model = request.Model;
        var stored = new List<ResponseItem>(input.Count);
        foreach (var item in input)
        {
            var tokens = _renderer.RenderItem(item);
            rendered.Append(tokens);
            state.Add(item);
            state.AddBytes(Approx(tokens));
            timings.ItemsRendered++;
            timings.TokensRendered += tokens.Length;
            stored.Add(item.Id is null ? WithId(item) : item);
        }

        timings.Render = TurnTimings.Since(t);
        if (rendered.TotalTokens > _options.MaxContextTokens)
        {
            source.OnFailed(request.PreviousResponseId);
            return Fail(new ProtocolError(400, "invalid_request_error", "context_length_exceeded",
                $"The conversation has {rendered.TotalTokens} tokens; the limit is {_options.MaxContextTokens} (MaxContextTokens).", "input"));
        }

        if (state.ApproximateBytes > source.MaxStateBytes)
        {
            source.OnFailed(request.PreviousResponseId);
            return Fail(new ProtocolError(400, "invalid_request_error", "connection_cache_limit_exceeded",
                $"The conversation needs about {state.ApproximateBytes} bytes of connection cache; the limit is {source.MaxStateBytes} bytes " +
                "(Loopwire:WebSocket:MaxConnectionCacheBytes). Start a new conversation or a new connection.", "input"));
        }

        TokensRendered.Add(timings.TokensRendered, new KeyValuePair<string, object?>("transport", timings.Transport));
        var prepared = new PreparedResponse(Ids.NewResponseId(), request, state, source, stored, rendered.TotalTokens,
            _time.GetUtcNow().ToUnixTimeSeconds(), timings);
        return new PrepareResult(prepared, null);
    }

    /// <summary>
    /// The response object of a prepared response that has not produced output yet, e.g. <c>queued</c> or
    /// <c>in_progress</c> for a background response that a transport saves before it runs.
    /// </summary>
    /// <param name="prepared">The prepared response.</param>
    /// <param name="status">The status to report (<c>queued</c> or <c>in_progress</c>).</param>
    /// <returns>The object with empty output and no usage.</returns>
    public ResponseObject Pending(PreparedResponse prepared, string status)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentException.ThrowIfNullOrEmpty(status);
        return BuildResponse(prepared, status, [], null, null, null);
    }

    /// <summary>Runs the backend and yields the events of the response, ending with a terminal event.</summary>
    /// <remarks>
    /// The response is persisted (when <c>store</c>) before the terminal event is yielded, so a client that chains
    /// right after <c>response.completed</c> finds it. Cancelling stops the backend at once and yields nothing more.
    /// </remarks>
    public IAsyncEnumerable<ResponseEvent> StreamAsync(PreparedResponse prepared, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        return StreamCoreAsync(prepared, cancellationToken);
    }

    private async IAsyncEnumerable<ResponseEvent> StreamCoreAsync(PreparedResponse p, [EnumeratorCancellation] CancellationToken ct)
    {
        var seq = new Sequencer();
        var request = p.Request;
        var inProgress = BuildResponse(p, "in_progress", [], null, null, null);
        yield return seq.Next(new ResponseCreatedEvent { Response = inProgress });

        if (request.Generate == false)
        {
            // Warm-up: the context is cached (and stored) but the model does not run.
            var warm = BuildResponse(p, "completed", [], new Usage { InputTokens = p.PromptTokens, TotalTokens = p.PromptTokens }, null, null);
            var (warmStoreError, _) = await FinishAsync(p, warm, [], ct).ConfigureAwait(false);
            yield return warmStoreError is null ? seq.Next<ResponseEvent>(new ResponseCompletedEvent { Response = warm }) : seq.Next<ResponseEvent>(FailedEvent(p, warmStoreError));
            yield break;
        }

        yield return seq.Next(new ResponseInProgressEvent { Response = inProgress });

        var builder = new OutputBuilder(seq, request.Include?.Contains("reasoning.encrypted_content") == true);
        long backendStart = Stopwatch.GetTimestamp();
        var backend = _router.Resolve(request.Model!);
        IAsyncEnumerator<ModelChunk>? chunks = null;
        ModelFinished? finished = null;
        ModelFailed? failed = null;
        int cached = 0;
        try
        {
            chunks = backend.StreamAsync(new ModelRequest(request.Model!, p.State, request) { ResponseId = p.Id }, ct).GetAsyncEnumerator(ct);
            while (true)
            {
                ModelChunk chunk;
                try
                {
                    if (!await chunks.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    chunk = chunks.Current;
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    p.Source.OnFailed(request.PreviousResponseId);
                    EngineLog.ResponseCancelled(_logger, p.Id, TurnTimings.Since(backendStart).TotalMilliseconds);
                    throw;
                }
                catch (Exception ex)
                {
                    EngineLog.BackendCrashed(_logger, ex, p.Id);
                    failed = new ModelFailed("server_error", "The model backend failed: " + ex.Message);
                    break;
                }

                switch (chunk)
                {
                    case PromptProcessed pp:
                        cached = pp.CachedTokens;
                        p.Timings.BackendTtft = TurnTimings.Since(backendStart);
                        break;
                    case ModelFinished f:
                        finished = f;
                        break;
                    case ModelFailed f:
                        failed = f;
                        break;
                    default:
                        foreach (var e in builder.Add(chunk))
                        {
                            yield return e;
                        }

                        break;
                }

                if (finished is not null || failed is not null)
                {
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
        }

        p.Timings.Backend = TurnTimings.Since(backendStart);
        // The item still open when the model stopped early was cut off: clients must not run a half-written call.
        foreach (var e in builder.Close(finished is { IncompleteReason: null } ? "completed" : "incomplete"))
        {
            yield return e;
        }

        if (failed is not null || finished is null)
        {
            failed ??= new ModelFailed("server_error", "The model backend ended without finishing the response.");
            p.Source.OnFailed(request.PreviousResponseId);
            var err = new ProtocolError(failed.Status, failed.Type, failed.Code, failed.Message, null);
            p.Error = err;
            var ev = FailedEvent(p, err, builder.Output);
            p.Final = ev.Response;
            Log(p, ev.Response);
            yield return seq.Next(ev);
            yield break;
        }

        int inputTokens = finished.InputTokens ?? p.PromptTokens;
        var usage = new Usage
        {
            InputTokens = inputTokens,
            InputTokensDetails = new InputTokensDetails { CachedTokens = Math.Min(finished.CachedTokens ?? cached, inputTokens) },
            OutputTokens = finished.OutputTokens,
            OutputTokensDetails = new OutputTokensDetails { ReasoningTokens = finished.ReasoningTokens },
            TotalTokens = inputTokens + finished.OutputTokens,
        };
        string status = finished.IncompleteReason is null ? "completed" : "incomplete";
        var final = BuildResponse(p, status, builder.Output, usage, null,
            finished.IncompleteReason is null ? null : new IncompleteDetails(finished.IncompleteReason));
        var (storeError, _) = await FinishAsync(p, final, builder.Output, ct).ConfigureAwait(false);
        if (storeError is not null)
        {
            p.Error = storeError;
            yield return seq.Next(FailedEvent(p, storeError, builder.Output));
            yield break;
        }

        yield return status == "completed"
            ? seq.Next<ResponseEvent>(new ResponseCompletedEvent { Response = final })
            : seq.Next<ResponseEvent>(new ResponseIncompleteEvent { Response = final });
    }

    private ResponseFailedEvent FailedEvent(PreparedResponse p, ProtocolError error, IReadOnlyList<ResponseItem>? output = null) =>
        new() { Response = BuildResponse(p, "failed", output ?? [], null, new ResponseError(error.Code ?? "server_error", error.Message), null) };

    /// <summary>Appends the output to the conversation, persists, and hands the state back to the source.</summary>
    private async Task<(ProtocolError? Error, bool Stored)> FinishAsync(PreparedResponse p, ResponseObject final,
        IReadOnlyList<ResponseItem> output, CancellationToken ct)
    {
        var state = p.State;
        long t = Stopwatch.GetTimestamp();
        foreach (var item in output)
        {
            var tokens = _renderer.RenderItem(item);
            state.Rendered!.Append(tokens);
            state.Add(item);
            state.AddBytes(Approx(tokens));
        }

        p.Timings.RenderOutput = TurnTimings.Since(t);
        p.Final = final;
        bool stored = false;
        if (p.Request.StoreOrDefault)
        {
            t = Stopwatch.GetTimestamp();
            // A stored response must be loadable over HTTP. When its parent lives only in a connection cache
            // (store:false), the whole context is stored as its input instead of a parent link.
            bool flatten = !state.Persisted && p.Request.PreviousResponseId is not null;
            IReadOnlyList<ResponseItem> input = flatten
                ? state.Items.Take(state.Items.Count - output.Count).Select(i => i.Id is null ? WithId(i) : i).ToList()
                : p.Input;
            try
            {
                await _store.SaveAsync(new StoredResponse(p.Id, flatten ? null : p.Request.PreviousResponseId, p.Source.Tenant, input, final), ct)
                    .ConfigureAwait(false);
                stored = true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                EngineLog.BackendCrashed(_logger, ex, p.Id);
                p.Source.OnFailed(p.Request.PreviousResponseId);
                return (ProtocolError.Server("The response could not be stored: " + ex.Message), false);
            }

            p.Timings.Store = TurnTimings.Since(t);
        }

        state.Persisted = stored;
        state.ResponseId = p.Id;
        p.Source.OnCompleted(state);
        Log(p, final);
        return (null, stored);
    }

    private void Log(PreparedResponse p, ResponseObject final)
    {
        var tm = p.Timings;
        var tag = new KeyValuePair<string, object?>("transport", tm.Transport);
        StageDuration.Record(tm.Parse.TotalMilliseconds, tag, new("stage", "parse"));
        StageDuration.Record(tm.Resolve.TotalMilliseconds, tag, new("stage", "resolve"));
        StageDuration.Record(tm.Render.TotalMilliseconds, tag, new("stage", "render"));
        StageDuration.Record(tm.Validate.TotalMilliseconds, tag, new("stage", "validate"));
        StageDuration.Record(tm.Store.TotalMilliseconds, tag, new("stage", "store"));
        StageDuration.Record(tm.BackendTtft.TotalMilliseconds, tag, new("stage", "backend_ttft"));
        var usage = final.Usage;
        Recorder.Add(seq => new TurnRecord(seq, p.Id, tm.Transport, final.Status, tm.Parse.TotalMilliseconds, tm.Resolve.TotalMilliseconds,
            tm.Render.TotalMilliseconds, tm.Validate.TotalMilliseconds, tm.Store.TotalMilliseconds, tm.BackendTtft.TotalMilliseconds,
            tm.Backend.TotalMilliseconds, tm.Overhead.TotalMilliseconds, tm.ItemsReceived, tm.ItemsRendered, tm.TokensRendered,
            p.PromptTokens, usage?.InputTokensDetails.CachedTokens ?? 0, usage?.OutputTokens ?? 0, tm.FromCache));
        EngineLog.ResponseFinished(_logger, p.Id, tm.Transport, final.Status, final.Usage?.InputTokens ?? p.PromptTokens,
            final.Usage?.InputTokensDetails.CachedTokens ?? 0, final.Usage?.OutputTokens ?? 0, tm.TokensRendered,
            tm.Parse.TotalMilliseconds, tm.Resolve.TotalMilliseconds, tm.Render.TotalMilliseconds, tm.Validate.TotalMilliseconds,
            tm.Store.TotalMilliseconds, tm.BackendTtft.TotalMilliseconds, tm.Backend.TotalMilliseconds);
    }

    private ResponseObject BuildResponse(PreparedResponse p, string status, IReadOnlyList<ResponseItem> output, Usage? usage,
        ResponseError? error, IncompleteDetails? incomplete)
    {
        var r = p.Request;
        bool terminal = status is "completed" or "incomplete" or "failed" or "cancelled";
        return new ResponseObject
        {
            Id = p.Id,
            CreatedAt = p.CreatedAt,
            CompletedAt = terminal ? _time.GetUtcNow().ToUnixTimeSeconds() : null,
            Status = status,
            Background = r.Background ?? false,
            Model = r.Model!,
            Instructions = r.Instructions,
            Output = output,
            Usage = usage,
            PreviousResponseId = r.PreviousResponseId,
            Store = r.StoreOrDefault,
            Tools = r.Tools ?? [],
            ToolChoice = r.ToolChoice ?? AutoChoice,
            ParallelToolCalls = r.ParallelToolCalls ?? true,
            Metadata = r.Metadata ?? [],
            Error = error,
            IncompleteDetails = incomplete,
            Text = r.Text ?? DefaultText,
            Truncation = r.Truncation ?? "disabled",
            MaxOutputTokens = r.MaxOutputTokens,
            MaxToolCalls = r.MaxToolCalls,
            Temperature = r.Temperature ?? 1.0,
            TopP = r.TopP ?? 1.0,
            TopLogprobs = r.TopLogprobs ?? 0,
            Reasoning = r.Reasoning ?? new ReasoningOptions(),
            PromptCacheKey = r.PromptCacheKey,
            PromptCacheRetention = r.PromptCacheRetention,
            ServiceTier = r.ServiceTier ?? "default",
            SafetyIdentifier = r.SafetyIdentifier,
            User = r.User,
        };
    }

    private static readonly JsonElement AutoChoice = JsonDocument.Parse("\"auto\"").RootElement.Clone();
    private static readonly JsonElement DefaultText = JsonDocument.Parse("""{"format":{"type":"text"},"verbosity":"medium"}""").RootElement.Clone();

    private async Task<(IReadOnlyList<ResponseItem>? Items, ProtocolError? Error)> ResolveReferencesAsync(
        IReadOnlyList<ResponseItem> input, string? tenant, CancellationToken ct)
    {
        var list = new List<ResponseItem>(input.Count);
        for (int i = 0; i < input.Count; i++)
        {
            if (input[i] is ItemReferenceItem reference)
            {
                var item = await _store.GetItemAsync(reference.Id!, tenant, ct).ConfigureAwait(false);
                if (item is null)
                {
                    return (null, ProtocolError.Invalid($"Item with id '{reference.Id}' not found.", $"input[{i}].id", "item_not_found"));
                }

                list.Add(item);
            }
            else
            {
                list.Add(input[i]);
            }
        }

        return (list, null);
    }

    private static ProtocolError? ValidateCalls(ConversationState state, IReadOnlyList<ResponseItem> input)
    {
        HashSet<string>? newCalls = null;
        for (int i = 0; i < input.Count; i++)
        {
            switch (input[i])
            {
                case FunctionCallItem f:
                    (newCalls ??= new(StringComparer.Ordinal)).Add(f.CallId);
                    break;
                case CustomToolCallItem c:
                    (newCalls ??= new(StringComparer.Ordinal)).Add(c.CallId);
                    break;
                case FunctionCallOutputItem o when !state.HasCall(o.CallId) && newCalls?.Contains(o.CallId) != true:
                    return ProtocolError.Invalid($"No tool call found for function call output with call_id {o.CallId}.", $"input[{i}].call_id");
                case CustomToolCallOutputItem co when !state.HasCall(co.CallId) && newCalls?.Contains(co.CallId) != true:
                    return ProtocolError.Invalid($"No tool call found for custom tool call output with call_id {co.CallId}.", $"input[{i}].call_id");
            }
        }

        return null;
    }

    private static ResponseItem WithId(ResponseItem item) => item with { Id = Ids.NewItemId(Ids.PrefixFor(item.Type)) };

    private static long Approx(int[] tokens) => 96 + tokens.Length * 8L;

    private static string? InstructionsText(JsonElement? instructions) => instructions switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Null } => null,
        { } other => other.GetRawText(),
    };

    private static bool ToolsEqual(IReadOnlyList<ToolDefinition>? a, IReadOnlyList<ToolDefinition>? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if ((a?.Count ?? 0) != (b?.Count ?? 0))
        {
            return false;
        }

        if (a is null || b is null)
        {
            return true;
        }

        for (int i = 0; i < a.Count; i++)
        {
            var x = JsonSerializer.SerializeToUtf8Bytes(a[i], ProtocolJsonContext.Default.ToolDefinition);
            var y = JsonSerializer.SerializeToUtf8Bytes(b[i], ProtocolJsonContext.Default.ToolDefinition);
            if (!x.AsSpan().SequenceEqual(y))
            {
                return false;
            }
        }

        return true;
    }

    private static PrepareResult Fail(ProtocolError error) => new(null, error);

    /// <summary>Assigns sequence numbers.</summary>
    private sealed class Sequencer
    {
        private int _next;

        public T Next<T>(T e) where T : ResponseEvent => e with { SequenceNumber = _next++ };
    }

    /// <summary>Turns model chunks into output items and their events.</summary>
    private sealed class OutputBuilder(Sequencer seq, bool includeEncryptedReasoning)
    {
        private readonly List<ResponseItem> _output = [];
        private readonly StringBuilder _buffer = new();
        private string? _openKind;
        private string? _openId;
        private string? _callId;
        private string? _callName;

        public IReadOnlyList<ResponseItem> Output => _output;

        public IEnumerable<ResponseEvent> Add(ModelChunk chunk)
        {
            switch (chunk)
            {
                case ReasoningDelta r:
                    foreach (var e in Open("reasoning"))
                    {
                        yield return e;
                    }

                    _buffer.Append(r.Text);
                    yield return seq.Next(new ReasoningSummaryTextDeltaEvent { ItemId = _openId!, OutputIndex = _output.Count, Delta = r.Text });
                    break;
                case TextDelta t:
                    foreach (var e in Open("message"))
                    {
                        yield return e;
                    }

                    _buffer.Append(t.Text);
                    yield return seq.Next(new OutputTextDeltaEvent { ItemId = _openId!, OutputIndex = _output.Count, ContentIndex = 0, Delta = t.Text });
                    break;
                case ToolCallStart s:
                    foreach (var e in Close())
                    {
                        yield return e;
                    }

                    _callId = s.CallId;
                    _callName = s.Name;
                    foreach (var e in Open("function_call"))
                    {
                        yield return e;
                    }

                    break;
                case ToolCallArgumentsDelta a when _openKind == "function_call":
                    _buffer.Append(a.Delta);
                    yield return seq.Next(new FunctionCallArgumentsDeltaEvent { ItemId = _openId!, OutputIndex = _output.Count, Delta = a.Delta });
                    break;
            }
        }

        public IEnumerable<ResponseEvent> Close(string status = "completed")
        {
            if (_openKind is null)
            {
                yield break;
            }

            int index = _output.Count;
            string text = _buffer.ToString();
            _buffer.Clear();
            switch (_openKind)
            {
                case "message":
                {
                    var part = ContentPart.OutputText(text);
                    yield return seq.Next(new OutputTextDoneEvent { ItemId = _openId!, OutputIndex = index, ContentIndex = 0, Text = text });
                    yield return seq.Next(new ContentPartDoneEvent { ItemId = _openId!, OutputIndex = index, ContentIndex = 0, Part = part });
                    var item = new MessageItem { Id = _openId, Status = status, Role = "assistant", Content = MessageContent.FromParts([part]) };
                    _output.Add(item);
                    yield return seq.Next(new OutputItemDoneEvent { OutputIndex = index, Item = item });
                    break;
                }

                case "reasoning":
                {
                    var part = new ContentPart { Type = "summary_text", Text = text };
                    yield return seq.Next(new ReasoningSummaryTextDoneEvent { ItemId = _openId!, OutputIndex = index, Text = text });
                    yield return seq.Next(new ReasoningSummaryPartDoneEvent { ItemId = _openId!, OutputIndex = index, Part = part });
                    var item = new ReasoningItem
                    {
                        Id = _openId,
                        Summary = [part],
                        EncryptedContent = includeEncryptedReasoning ? "sim:" + Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) : null,
                    };
                    _output.Add(item);
                    yield return seq.Next(new OutputItemDoneEvent { OutputIndex = index, Item = item });
                    break;
                }

                case "function_call":
                {
                    string args = text.Length == 0 ? "{}" : text;
                    yield return seq.Next(new FunctionCallArgumentsDoneEvent { ItemId = _openId!, OutputIndex = index, Name = _callName, Arguments = args });
                    var item = new FunctionCallItem { Id = _openId, Status = status, CallId = _callId!, Name = _callName!, Arguments = args };
                    _output.Add(item);
                    yield return seq.Next(new OutputItemDoneEvent { OutputIndex = index, Item = item });
                    break;
                }
            }

            _openKind = null;
            _openId = null;
        }

        private IEnumerable<ResponseEvent> Open(string kind)
        {
            if (_openKind == kind)
            {
                yield break;
            }

            foreach (var e in Close())
            {
                yield return e;
            }

            _openKind = kind;
            int index = _output.Count;
            switch (kind)
            {
                case "message":
                    _openId = Ids.NewItemId("msg");
                    yield return seq.Next(new OutputItemAddedEvent
                    {
                        OutputIndex = index,
                        Item = new MessageItem { Id = _openId, Status = "in_progress", Role = "assistant", Content = MessageContent.FromParts([]) },
                    });
                    yield return seq.Next(new ContentPartAddedEvent { ItemId = _openId, OutputIndex = index, ContentIndex = 0, Part = ContentPart.OutputText("") });
                    break;
                case "reasoning":
                    _openId = Ids.NewItemId("rs");
                    yield return seq.Next(new OutputItemAddedEvent { OutputIndex = index, Item = new ReasoningItem { Id = _openId } });
                    yield return seq.Next(new ReasoningSummaryPartAddedEvent { ItemId = _openId, OutputIndex = index, Part = new ContentPart { Type = "summary_text", Text = "" } });
                    break;
                case "function_call":
                    _openId = Ids.NewItemId("fc");
                    yield return seq.Next(new OutputItemAddedEvent
                    {
                        OutputIndex = index,
                        Item = new FunctionCallItem { Id = _openId, Status = "in_progress", CallId = _callId!, Name = _callName!, Arguments = "" },
                    });
                    break;
            }
        }
    }
}
