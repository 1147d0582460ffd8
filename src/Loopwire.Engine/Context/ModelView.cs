using Loopwire.Engine.Rendering;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;

namespace Loopwire.Engine.Context;

/// <summary>
/// What the model sees of a conversation: the latest <c>compaction</c> item supersedes everything before it except the
/// user, system and developer messages; <c>compaction_trigger</c> items are markers, not context; and with
/// <c>truncation: "auto"</c> items are dropped from the start until the rest fits the context window.
/// </summary>
/// <remarks>
/// The conversation itself (stored input, the connection cache) keeps every item; only the prompt changes. Rendered
/// tokens are reused, never re-tokenized. When nothing is hidden the conversation is its own view (no copy).
/// </remarks>
internal static class ModelView
{
    /// <summary>Builds the view of <paramref name="state"/> (rendered), or returns an error when it does not fit.</summary>
    /// <param name="state">The rendered conversation.</param>
    /// <param name="window">The context window in tokens.</param>
    /// <param name="truncate">Whether <c>truncation</c> is <c>auto</c>.</param>
    /// <param name="windowName">How the limit is named in the error, e.g. <c>MaxContextTokens</c>.</param>
    /// <returns>The view (the state itself when nothing is hidden), or the error.</returns>
    public static (ConversationState? View, ProtocolError? Error) Build(ConversationState state, int window, bool truncate, string windowName)
    {
        var rendered = state.Rendered!;
        if (!state.HasCompactionItems && rendered.TotalTokens <= window)
        {
            // The common turn: nothing to hide and it fits. Checked without walking the history, which grows every turn.
            return (state, null);
        }

        var items = state.Items;
        var visible = new bool[items.Count];
        Array.Fill(visible, true);
        int total = rendered.TotalTokens;
        bool hidden = false;
        int latestCompaction = -1;
        for (int i = items.Count - 1; i >= 0 && latestCompaction < 0; i--)
        {
            if (items[i] is CompactionItem)
            {
                latestCompaction = i;
            }
        }

        for (int i = 0; i < items.Count; i++)
        {
            bool keep = items[i] is not CompactionTriggerItem
                && (i >= latestCompaction || items[i] is MessageItem { Role: "user" or "system" or "developer" });
            if (!keep)
            {
                Hide(i);
            }
        }

        if (total > window && truncate)
        {
            var droppedCalls = new HashSet<string>(StringComparer.Ordinal);
            // The newest item is never dropped (nor the call it answers): without it there is no turn to run.
            string? lastCall = items.Count > 0 ? CallId(items[^1]) : null;
            for (int i = 0; i < items.Count - 1 && total > window; i++)
            {
                if (!visible[i] || items[i] is MessageItem { Role: "system" or "developer" })
                {
                    continue;
                }

                if (lastCall is not null && items[i] is FunctionCallItem or CustomToolCallItem && CallId(items[i]) == lastCall)
                {
                    break;
                }

                Hide(i);
                if (CallId(items[i]) is { } callId && items[i] is FunctionCallItem or CustomToolCallItem)
                {
                    droppedCalls.Add(callId);
                }

                // Never leave an output whose call is gone: drop the outputs of every dropped call too.
                for (int j = i + 1; j < items.Count && droppedCalls.Count > 0; j++)
                {
                    if (visible[j] && items[j] is FunctionCallOutputItem or CustomToolCallOutputItem && droppedCalls.Contains(CallId(items[j])!))
                    {
                        Hide(j);
                    }
                }
            }
        }

        if (total > window)
        {
            string what = truncate ? " even after truncation (instructions, system and developer messages are kept)" : string.Empty;
            string hint = truncate ? string.Empty : " Use truncation: \"auto\" to drop the oldest items, or compact the conversation.";
            return (null, new ProtocolError(400, ErrorTypes.InvalidRequest, ErrorCodes.ContextLengthExceeded,
                $"The conversation has {total} tokens{what}; the limit is {window} ({windowName}).{hint}", "input"));
        }

        if (!hidden)
        {
            return (state, null);
        }

        var viewItems = new List<ResponseItem>(items.Count);
        var viewRendered = new RenderedContext(rendered.Header);
        for (int i = 0; i < items.Count; i++)
        {
            if (visible[i])
            {
                viewItems.Add(items[i]);
                viewRendered.Append(rendered.Items[i]);
            }
        }

        var view = new ConversationState(viewItems)
        {
            ResponseId = state.ResponseId,
            Persisted = state.Persisted,
            Rendered = viewRendered,
            Model = state.Model,
            Instructions = state.Instructions,
            Tools = state.Tools,
        };
        return (view, null);

        void Hide(int i)
        {
            visible[i] = false;
            total -= rendered.Items[i].Length;
            hidden = true;
        }
    }

    private static string? CallId(ResponseItem item) => item switch
    {
        FunctionCallItem f => f.CallId,
        CustomToolCallItem c => c.CallId,
        FunctionCallOutputItem o => o.CallId,
        CustomToolCallOutputItem o => o.CallId,
        _ => null,
    };
}
