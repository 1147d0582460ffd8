using Loopwire.Engine.Context;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;

namespace Loopwire.Engine;

/// <summary>The two requests that prepare a context without running a turn: compaction and token counting.</summary>
public sealed partial class ResponseEngine
{
    /// <summary>
    /// <c>POST /v1/responses/compact</c>: resolves and renders the request's context as for a turn, then compacts it.
    /// Nothing is stored.
    /// </summary>
    /// <param name="request">The request (<c>model</c>, <c>input</c>, <c>instructions</c>, <c>previous_response_id</c>, ...).</param>
    /// <param name="source">Where <c>previous_response_id</c> is resolved.</param>
    /// <param name="cancellationToken">Cancels the compaction.</param>
    /// <returns>The user messages followed by exactly one compaction item, or the error to answer with.</returns>
    public async Task<(CompactResponse? Response, ProtocolError? Error)> CompactAsync(CreateResponseRequest request, IContextSource source,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(source);
        var prepared = await _preparer.PrepareAsync(request, source, new TurnTimings { Transport = "compact" }, cancellationToken)
            .ConfigureAwait(false);
        if (prepared.Error is not null)
        {
            return (null, prepared.Error);
        }

        var p = prepared.Prepared!;
        var outcome = await Compaction.CompactionStep.RunAsync(Compactor, p.ModelView, request, _logger, p.Id, cancellationToken)
            .ConfigureAwait(false);
        if (outcome.Failure is { } f)
        {
            return (null, new ProtocolError(f.Status, f.Type, f.Code, f.Message, null));
        }

        var usage = new Usage
        {
            InputTokens = p.PromptTokens,
            OutputTokens = outcome.OutputTokens,
            TotalTokens = p.PromptTokens + outcome.OutputTokens,
        };
        return (new CompactResponse(Ids.NewItemId("cmp"), "response.compaction", p.CreatedAt, outcome.Output, usage), null);
    }

    /// <summary>
    /// <c>POST /v1/responses/input_tokens</c>: the <c>input_tokens</c> the same create would report, counted by resolving and
    /// rendering its context exactly as a turn does (compaction items, truncation and all). Nothing runs or is stored.
    /// </summary>
    /// <remarks>With <c>context_management</c> over its threshold the turn would compact first; this counts the context before that.</remarks>
    /// <param name="request">The request.</param>
    /// <param name="source">Where <c>previous_response_id</c> is resolved.</param>
    /// <param name="cancellationToken">Cancels the resolve.</param>
    /// <returns>The count, or the error the create would get.</returns>
    public async Task<(int? InputTokens, ProtocolError? Error)> CountInputTokensAsync(CreateResponseRequest request, IContextSource source,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(source);
        var prepared = await _preparer.PrepareAsync(request, source, new TurnTimings { Transport = "input_tokens" }, cancellationToken)
            .ConfigureAwait(false);
        return prepared.Error is not null ? (null, prepared.Error) : (prepared.Prepared!.PromptTokens, null);
    }
}
