using System.Diagnostics;
using System.Text.Json;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Compaction;
using Loopwire.Engine.Context.PrefixReuse;
using Loopwire.Engine.Conversations;
using Loopwire.Engine.Rendering;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Conversations;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;

namespace Loopwire.Engine.Context;

/// <summary>
/// Turns a request into a <see cref="PreparedResponse"/>: resolves its context, validates the new input against it,
/// and renders only what is not rendered yet.
/// </summary>
/// <remarks>
/// Step 1 resolve <c>previous_response_id</c>; Step 2 check the new input against the context; Step 3 render only
/// what is not rendered yet and append. An error after Step 3 has started tells the source the turn failed.
/// Thread-safe; each call works on its own state.
/// </remarks>
internal sealed class ContextPreparer(IResponseStore store, ITokenRenderer renderer, TimeProvider time, EngineOptions options,
    EngineMetrics metrics, ModelRouter router, ICompactionSealer sealer, PrefixRendering? prefix = null)
{
    private readonly ContextWindows _windows = new(options, router);

    public async Task<PrepareResult> PrepareAsync(CreateResponseRequest request, IContextSource source, TurnTimings timings,
        CancellationToken ct)
    {
        ConversationLease? conversation = null;
        try
        {
            ConversationRequestReader.TryReadConversationParameter(request.Conversation, out string? conversationId);
            if (conversationId is not null)
            {
                // Locked first, so the items read are the ones this turn appends to.
                (conversation, var conversationError) = await ConversationLease.AcquireAsync(store, conversationId, source.Tenant, time, ct)
                    .ConfigureAwait(false);
                if (conversationError is not null)
                {
                    return Fail(conversationError);
                }
            }

            var result = await PrepareCoreAsync(request, source, timings, conversation?.Items, ct).ConfigureAwait(false);
            if (result.Prepared is { } prepared)
            {
                prepared.Conversation = conversation;
                conversation = null;
            }

            return result;
        }
        catch (StoreUnavailableException ex)
        {
            // Steps 1 and 2 read the store; nothing is rendered yet, so the turn fails before it starts.
            return Fail(ProtocolError.StoreUnavailable(ex.Message));
        }
        finally
        {
            if (conversation is not null)
            {
                await conversation.ReleaseAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<PrepareResult> PrepareCoreAsync(CreateResponseRequest request, IContextSource source, TurnTimings timings,
        IReadOnlyList<ResponseItem>? conversationItems, CancellationToken ct)
    {
        var input = request.Input ?? [];
        timings.ItemsReceived = input.Count;
        if (input.Count > options.MaxItemsPerRequest)
        {
            return Fail(ProtocolError.Invalid(
                $"Too many input items: {input.Count}; the limit is {options.MaxItemsPerRequest} (Loopwire:MaxItemsPerRequest).", "input",
                ErrorCodes.TooManyItems));
        }

        // Step 1: resolve the context.
        long t = Stopwatch.GetTimestamp();
        ConversationState state;
        if (request.PreviousResponseId is { } prev)
        {
            var resolution = await source.ResolveAsync(prev, ct).ConfigureAwait(false);
            if (resolution.State is null)
            {
                Continuation(timings, "not_found");
                EngineTelemetry.Stage(timings, "resolve", t, Stopwatch.GetTimestamp());
                return Fail(resolution.Error ?? ProtocolError.PreviousResponseNotFound(prev));
            }

            state = resolution.State;
            timings.FromCache = resolution.FromCache;
            Continuation(timings, resolution.FromDetached ? "detached" : resolution.FromCache ? "cache" : "store");
        }
        else
        {
            // A conversation's items come first; they are stored with the conversation, not with this response.
            state = new ConversationState(conversationItems is null ? null : [.. conversationItems]) { Persisted = true };
        }

        t = EndStage(timings, "resolve", t, out var resolve);
        timings.Resolve = resolve;

        // Step 2: validate the new input against the context, without changing the context.
        if (input.Any(i => i is ItemReferenceItem))
        {
            var (resolved, refError) = await ResolveReferencesAsync(input, source.Tenant, ct).ConfigureAwait(false);
            if (refError is not null)
            {
                return Fail(refError);
            }

            input = resolved!;
        }

        if (CallValidator.Validate(state, input) is { } callError)
        {
            return Fail(callError);
        }

        // Compaction items are this server's sealed envelopes unless the backend's upstream made them.
        if (router.Resolve(request.Model!) is not ICompactionBackend { PassesCompactionThrough: true })
        {
            var (opened, openError) = OpenCompactions(state, input);
            if (openError is not null)
            {
                return Fail(openError);
            }

            input = opened!;
        }

        t = EndStage(timings, "validate", t, out var validate);
        timings.Validate = validate;

        // Step 3: render what is new and append it.
        var stored = Render(request, state, input, source.Tenant, timings);
        if (request.PreviousResponseId is null)
        {
            // A full request whose history the prefix cache knew is a continuation of a kind: say so.
            Continuation(timings, timings.Continuation ?? "full");
        }

        metrics.PrefixReused(timings);
        EndStage(timings, "render", t, out var render);
        timings.Render = render;
        var rendered = state.Rendered!;
        var (window, windowName) = _windows.For(request.Model!);
        var (view, viewError) = ModelView.Build(state, window, request.Truncation == "auto", windowName);
        if (viewError is not null)
        {
            source.OnFailed(request.PreviousResponseId);
            return Fail(viewError);
        }

        if (state.ApproximateBytes > source.MaxStateBytes)
        {
            source.OnFailed(request.PreviousResponseId);
            return Fail(new ProtocolError(400, ErrorTypes.InvalidRequest, ErrorCodes.ConnectionCacheLimitExceeded,
                $"The conversation needs about {state.ApproximateBytes} bytes of connection cache; the limit is {source.MaxStateBytes} bytes " +
                "(Loopwire:WebSocket:MaxConnectionCacheBytes). Start a new conversation or a new connection.", "input"));
        }

        metrics.TokensRendered(timings, rendered.TotalTokens);
        var prepared = new PreparedResponse(Ids.NewResponseId(), request, state, source, stored, view!.Rendered!.TotalTokens,
            time.GetUtcNow().ToUnixTimeSeconds(), timings) { ModelView = view, ContextWindow = window };
        return new PrepareResult(prepared, null);
    }

    /// <summary>Renders the header if it changed, history never rendered, then the new input; returns the input as stored.</summary>
    private List<ResponseItem> Render(CreateResponseRequest request, ConversationState state, IReadOnlyList<ResponseItem> input,
        string? tenant, TurnTimings timings)
    {
        string? instructions = InstructionsText(request.Instructions);
        var rendered = state.Rendered;
        IEnumerable<ResponseItem> toRender = input;
        bool fresh = rendered is null;
        bool chainHolds = !fresh && request.Model == state.Model;
        if (rendered is null && prefix is not null)
        {
            // History and input rendered together, the longest known prefix taken from the cache.
            (rendered, int reused) = prefix.RenderFresh(tenant, request.Model, instructions, request.Tools, state, input, timings);
            if (reused > 0 && request.PreviousResponseId is null)
            {
                timings.Continuation = "prefix";
            }

            toRender = [];
        }
        else if (rendered is null)
        {
            rendered = new RenderedContext(renderer.RenderHeader(instructions, request.Tools));
            timings.TokensRendered += rendered.Header.Length;
            toRender = state.Items.Concat(input);
        }
        else if (instructions != state.Instructions || !ToolsEqual(request.Tools, state.Tools))
        {
            rendered = rendered.WithHeader(renderer.RenderHeader(instructions, request.Tools));
            timings.TokensRendered += rendered.Header.Length;
            chainHolds = false;
        }

        foreach (var item in toRender)
        {
            timings.TokensRendered += renderer.AppendItem(state, rendered, item);
            timings.ItemsRendered++;
        }

        state.Rendered = rendered;
        state.Instructions = instructions;
        state.Tools = request.Tools;
        state.Model = request.Model;
        foreach (var item in input)
        {
            state.Add(item);
        }

        var stored = Ids.WithIds(input);

        if (chainHolds)
        {
            // A continuation of a tracked chain (same model and header): its new items join the prefix cache too.
            prefix?.Extend(tenant, state, input);
        }
        else if (!fresh)
        {
            state.PrefixLink = null;
        }

        return stored;
    }

    /// <summary>Opens the sealed compaction items of the new input, and of the history when it is rendered from the store.</summary>
    private (IReadOnlyList<ResponseItem>? Input, ProtocolError? Error) OpenCompactions(ConversationState state, IReadOnlyList<ResponseItem> input)
    {
        if (state.Rendered is null)
        {
            for (int i = 0; i < state.Items.Count; i++)
            {
                if (state.Items[i] is CompactionItem { Opened: null } c)
                {
                    var (item, error) = CompactionEnvelope.Open(sealer, c);
                    if (error is not null)
                    {
                        return (null, error with { Param = "previous_response_id" });
                    }

                    state.Replace(i, item!);
                }
            }
        }

        if (!input.Any(i => i is CompactionItem))
        {
            return (input, null);
        }

        var list = new List<ResponseItem>(input.Count);
        for (int i = 0; i < input.Count; i++)
        {
            if (input[i] is CompactionItem c)
            {
                var (item, error) = CompactionEnvelope.Open(sealer, c);
                if (error is not null)
                {
                    return (null, error with { Param = $"input[{i}].{error.Param}" });
                }

                list.Add(item!);
            }
            else
            {
                list.Add(input[i]);
            }
        }

        return (list, null);
    }

    private async Task<(IReadOnlyList<ResponseItem>? Items, ProtocolError? Error)> ResolveReferencesAsync(
        IReadOnlyList<ResponseItem> input, string? tenant, CancellationToken ct)
    {
        var list = new List<ResponseItem>(input.Count);
        for (int i = 0; i < input.Count; i++)
        {
            if (input[i] is ItemReferenceItem reference)
            {
                var item = await store.GetItemAsync(reference.Id!, tenant, ct).ConfigureAwait(false);
                if (item is null)
                {
                    return (null, ProtocolError.Invalid($"Item with id '{reference.Id}' not found.", $"input[{i}].id", ErrorCodes.ItemNotFound));
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

    private void Continuation(TurnTimings timings, string source)
    {
        timings.Continuation = source;
        metrics.Continuation(timings, source);
    }

    /// <summary>Ends a stage begun at <paramref name="start"/>: records its span, returns its duration and the next stage's start.</summary>
    private static long EndStage(TurnTimings timings, string name, long start, out TimeSpan duration)
    {
        long end = Stopwatch.GetTimestamp();
        duration = Stopwatch.GetElapsedTime(start, end);
        EngineTelemetry.Stage(timings, name, start, end);
        return end;
    }
}
