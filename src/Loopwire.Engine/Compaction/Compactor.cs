using System.Text;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Context;
using Loopwire.Engine.Rendering;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;

namespace Loopwire.Engine.Compaction;

/// <summary>What compacting a conversation produced.</summary>
/// <param name="Output">The user messages followed by exactly one compaction item (the answer of <c>/responses/compact</c>).</param>
/// <param name="Item">That compaction item.</param>
/// <param name="OutputTokens">Tokens the model generated for it.</param>
/// <param name="Failure">Why it failed, or null (then the other fields are empty).</param>
internal sealed record CompactionOutcome(IReadOnlyList<ResponseItem> Output, CompactionItem? Item, int OutputTokens, ModelFailed? Failure);

/// <summary>
/// Compacts a conversation as the model sees it: a backend that compacts itself does (the simulated model; a Responses
/// upstream passes it through); any other is asked for a summary with a normal turn. The engine seals the summary.
/// </summary>
/// <remarks>Thread-safe; one per engine.</remarks>
internal sealed class Compactor(ModelRouter router, ITokenRenderer renderer, ICompactionSealer sealer)
{
    /// <summary>What a backend without its own compaction is asked, as the last user message.</summary>
    internal const string SummaryPrompt =
        "Summarize the conversation so far for your own later use: the task, decisions made, facts learned from tool results " +
        "(file names, errors, values), what is done and what remains. Be complete and concise; do not call tools.";

    /// <summary>Compacts <paramref name="view"/> (rendered) for <paramref name="request"/>'s model.</summary>
    public async Task<CompactionOutcome> CompactAsync(ConversationState view, CreateResponseRequest request, CancellationToken ct)
    {
        string model = request.Model!;
        var backend = router.Resolve(model);
        var modelRequest = new ModelRequest(model, view, request);
        CompactionResult result = backend is ICompactionBackend compacting
            ? await compacting.CompactAsync(modelRequest, ct).ConfigureAwait(false)
            : await SummarizeAsync(backend, view, request, ct).ConfigureAwait(false);
        if (result.Failure is { } failure)
        {
            return new CompactionOutcome([], null, 0, failure);
        }

        if (result.PassthroughOutput is { } passthrough)
        {
            var items = passthrough.OfType<CompactionItem>().ToList();
            if (items.Count != 1)
            {
                return new CompactionOutcome([], null, 0, new ModelFailed(ErrorCodes.UpstreamProtocolError,
                    $"The upstream's compaction returned {items.Count} compaction items; exactly one was expected.", 502));
            }

            return new CompactionOutcome(passthrough, items[0], result.OutputTokens, null);
        }

        var item = CompactionEnvelope.Seal(sealer, result.Summary ?? string.Empty, model);
        var output = view.Items.Where(i => i is MessageItem { Role: "user" }).Append(item).ToList();
        return new CompactionOutcome(output, item, result.OutputTokens, null);
    }

    /// <summary>
    /// The conversation after compaction as the model sees it: the user messages, then the compaction item (header and
    /// the messages' tokens reused, the item rendered).
    /// </summary>
    public ConversationState Compacted(ConversationState view, CompactionItem item)
    {
        var rendered = new RenderedContext(view.Rendered!.Header);
        var items = new List<ResponseItem>();
        for (int i = 0; i < view.Items.Count; i++)
        {
            if (view.Items[i] is MessageItem { Role: "user" or "system" or "developer" })
            {
                items.Add(view.Items[i]);
                rendered.Append(view.Rendered.Items[i]);
            }
        }

        items.Add(item);
        rendered.Append(renderer.RenderItem(item));
        return new ConversationState(items)
        {
            ResponseId = view.ResponseId,
            Persisted = view.Persisted,
            Rendered = rendered,
            Model = view.Model,
            Instructions = view.Instructions,
            Tools = view.Tools,
        };
    }

    private async Task<CompactionResult> SummarizeAsync(IModelBackend backend, ConversationState view, CreateResponseRequest request,
        CancellationToken ct)
    {
        var ask = new MessageItem { Role = "user", Content = MessageContent.FromText(SummaryPrompt) };
        var items = view.Items.ToList();
        items.Add(ask);
        var rendered = new RenderedContext(view.Rendered!.Header);
        foreach (var tokens in view.Rendered.Items)
        {
            rendered.Append(tokens);
        }

        rendered.Append(renderer.RenderItem(ask));
        var state = new ConversationState(items) { Rendered = rendered, Model = view.Model, Instructions = view.Instructions, Tools = view.Tools };
        var summaryRequest = request with
        {
            Input = [ask],
            Tools = null,
            ToolChoice = null,
            ContextManagement = null,
            Stream = true,
            MaxOutputTokens = null,
        };
        var text = new StringBuilder();
        await foreach (var chunk in backend.StreamAsync(new ModelRequest(request.Model!, state, summaryRequest), ct).ConfigureAwait(false))
        {
            switch (chunk)
            {
                case TextDelta t:
                    text.Append(t.Text);
                    break;
                case ModelFailed f:
                    return CompactionResult.Failed(f);
                case ModelFinished f:
                    return CompactionResult.FromSummary(text.ToString(), f.OutputTokens);
            }
        }

        return CompactionResult.Failed(new ModelFailed(ErrorCodes.ServerError, "The model backend ended without finishing the summary."));
    }
}
