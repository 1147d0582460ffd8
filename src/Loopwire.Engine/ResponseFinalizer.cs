using System.Diagnostics;
using Loopwire.Engine.Rendering;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Microsoft.Extensions.Logging;

namespace Loopwire.Engine;

/// <summary>
/// Ends responses: appends the output to the conversation, persists (with the flatten rule), tells the context source,
/// records the turn, and sets <see cref="PreparedResponse.Outcome"/>. Also the one place that saves a response's
/// pending and abandoned (cancelled, crashed) objects, for background runs.
/// </summary>
/// <remarks>Thread-safe; each call works on one turn's <see cref="PreparedResponse"/>.</remarks>
internal sealed class ResponseFinalizer(IResponseStore store, ITokenRenderer renderer, ResponseFactory responses, EngineMetrics metrics,
    TurnRecorder recorder, ILogger logger, Context.PrefixReuse.PrefixRendering? prefix = null)
{
    /// <summary>
    /// Ends a response the model finished (<c>completed</c> or <c>incomplete</c>): appends <paramref name="output"/>
    /// to the conversation, stores the response when the request asks for it, and hands the state back to the source.
    /// </summary>
    /// <returns>The outcome: <paramref name="final"/>, or a <c>failed</c> object when it could not be stored.</returns>
    public async Task<ResponseOutcome> CompleteAsync(PreparedResponse p, ResponseObject final, IReadOnlyList<ResponseItem> output,
        CancellationToken ct)
    {
        var state = p.State;
        long t = Stopwatch.GetTimestamp();

        // Taken before the output joins the conversation: a flattened record's input is everything before this output.
        var record = p.Request.StoreOrDefault ? ToStored(p, final) : null;
        foreach (var item in output)
        {
            renderer.AppendItem(state, state.Rendered!, item);
            state.Add(item);
        }

        // The output joins the prefix cache: a client that replays the history re-sends it next turn.
        prefix?.Extend(p.Source.Tenant, state, output);

        p.Timings.RenderOutput = TurnTimings.Since(t);
        bool stored = false;
        if (record is not null)
        {
            t = Stopwatch.GetTimestamp();
            try
            {
                await store.SaveAsync(record, ct).ConfigureAwait(false);
                stored = true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                EngineLog.BackendCrashed(logger, ex, p.Id);
                return Fail(p, ex is StoreUnavailableException
                    ? ProtocolError.StoreUnavailable("The response could not be stored: " + ex.Message)
                    : ProtocolError.Server("The response could not be stored: " + ex.Message), output);
            }

            long end = Stopwatch.GetTimestamp();
            p.Timings.Store = Stopwatch.GetElapsedTime(t, end);
            EngineTelemetry.Stage(p.Timings, "store", t, end);
        }

        if (p.Conversation is { } conversation)
        {
            try
            {
                await conversation.AppendAsync(p.Input, output, ct).ConfigureAwait(false);
            }
            catch (StoreUnavailableException ex)
            {
                EngineLog.BackendCrashed(logger, ex, p.Id);
                return Fail(p, ProtocolError.StoreUnavailable("The conversation could not be updated: " + ex.Message), output);
            }
        }

        state.Persisted = stored;
        state.ResponseId = p.Id;
        p.Source.OnCompleted(state);
        return End(p, new ResponseOutcome(final, null, stored));
    }

    /// <summary>Ends a response that failed: the source drops the turn and the outcome is a <c>failed</c> object (not stored).</summary>
    public ResponseOutcome Fail(PreparedResponse p, ProtocolError error, IReadOnlyList<ResponseItem> output)
    {
        p.Source.OnFailed(p.Request.PreviousResponseId);
        return End(p, new ResponseOutcome(responses.Failed(p, error, output), error, false));
    }

    /// <summary>
    /// Ends a background response whose stream stopped without a stored terminal object: stores it as
    /// <c>cancelled</c> (when <paramref name="error"/> is null) or <c>failed</c>, with the output finished so far.
    /// </summary>
    /// <remarks>Runs to the end even when the run's token is cancelled: the store must not keep a stale status.</remarks>
    public async Task<ResponseOutcome> AbandonAsync(PreparedResponse p, ProtocolError? error, IReadOnlyList<ResponseItem> output)
    {
        var final = error is null ? responses.Cancelled(p, output) : responses.Failed(p, error, output);
        bool stored = await TrySaveAsync(p, final).ConfigureAwait(false);
        return p.Outcome = new ResponseOutcome(final, error, stored);
    }

    /// <summary>Stores a terminal outcome the engine did not store (a failed response of a background run).</summary>
    /// <returns>The outcome, with <see cref="ResponseOutcome.Stored"/> set when the save succeeded.</returns>
    public async Task<ResponseOutcome> PersistAsync(PreparedResponse p, ResponseOutcome outcome)
    {
        if (outcome.Stored)
        {
            return outcome;
        }

        bool stored = await TrySaveAsync(p, outcome.Response).ConfigureAwait(false);
        return p.Outcome = outcome with { Stored = stored };
    }

    /// <summary>Saves a pending object (<c>queued</c>, <c>in_progress</c>) of a response that has no output yet.</summary>
    public Task SavePendingAsync(PreparedResponse p, ResponseObject pending, CancellationToken ct) =>
        store.SaveAsync(ToStored(p, pending), ct);

    /// <summary>Marks a stored background response whose run is gone (the server stopped) as <c>cancelled</c>.</summary>
    /// <returns>The <c>cancelled</c> object, as stored.</returns>
    public async Task<ResponseObject> CancelOrphanAsync(StoredResponse orphan, CancellationToken ct)
    {
        var final = responses.Cancelled(orphan.Response);
        await store.SaveAsync(orphan with { Response = final }, ct).ConfigureAwait(false);
        return final;
    }

    /// <summary>Marks a stored background response whose node died (its lease expired) as <c>failed</c> with <paramref name="error"/>.</summary>
    /// <returns>The <c>failed</c> object, as stored.</returns>
    public async Task<ResponseObject> FailOrphanAsync(StoredResponse orphan, ProtocolError error, CancellationToken ct)
    {
        var final = responses.Failed(orphan.Response, error);
        await store.SaveAsync(orphan with { Response = final }, ct).ConfigureAwait(false);
        return final;
    }

    private async Task<bool> TrySaveAsync(PreparedResponse p, ResponseObject response)
    {
        try
        {
            await store.SaveAsync(ToStored(p, response), CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex)
        {
            EngineLog.StoreFailed(logger, ex, p.Id, response.Status);
            return false;
        }
    }

    /// <summary>The stored record of <paramref name="p"/>, before its output has joined the conversation.</summary>
    /// <remarks>
    /// A stored response must be loadable over HTTP. When its parent lives only in a connection cache (store:false),
    /// the whole context is stored as its input instead of a parent link.
    /// </remarks>
    private static StoredResponse ToStored(PreparedResponse p, ResponseObject response)
    {
        var state = p.State;
        bool flatten = !state.Persisted && p.Request.PreviousResponseId is not null;
        IReadOnlyList<ResponseItem> input = flatten ? state.Items.Select(i => i.Id is null ? Ids.WithNewId(i) : i).ToList() : p.Input;
        return new StoredResponse(p.Id, flatten ? null : p.Request.PreviousResponseId, p.Source.Tenant, input, response);
    }

    private ResponseOutcome End(PreparedResponse p, ResponseOutcome outcome)
    {
        var tm = p.Timings;
        var final = outcome.Response;
        var usage = final.Usage;
        metrics.TurnFinished(tm);
        recorder.Add(seq => new TurnRecord(seq, p.Id, tm.Transport, final.Status, tm.Parse.TotalMilliseconds, tm.Resolve.TotalMilliseconds,
            tm.Render.TotalMilliseconds, tm.Validate.TotalMilliseconds, tm.Store.TotalMilliseconds, tm.BackendTtft.TotalMilliseconds,
            tm.Backend.TotalMilliseconds, tm.Overhead.TotalMilliseconds, tm.ItemsReceived, tm.ItemsRendered, tm.TokensRendered,
            p.PromptTokens, usage?.InputTokensDetails.CachedTokens ?? 0, usage?.OutputTokens ?? 0, tm.FromCache)
        {
            Tenant = p.Source.Tenant,
            Continuation = tm.Continuation,
            PrefixTokensReused = tm.PrefixTokensReused,
        });
        var level = final.Status == ResponseStatus.Completed ? LogLevel.Debug : LogLevel.Information;
        if (!logger.IsEnabled(level))
        {
            return p.Outcome = outcome;
        }

        EngineLog.ResponseFinished(logger, level, p.Id, tm.Transport, final.Status, tm.Continuation ?? "full", usage?.InputTokens ?? p.PromptTokens,
            usage?.InputTokensDetails.CachedTokens ?? 0, usage?.OutputTokens ?? 0, tm.TokensRendered, tm.PrefixTokensReused,
            tm.Parse.TotalMilliseconds, tm.Resolve.TotalMilliseconds, tm.Render.TotalMilliseconds, tm.Validate.TotalMilliseconds,
            tm.Store.TotalMilliseconds, tm.BackendTtft.TotalMilliseconds, tm.Backend.TotalMilliseconds);
        return p.Outcome = outcome;
    }
}
