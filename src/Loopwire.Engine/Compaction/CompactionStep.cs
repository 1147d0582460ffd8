using Loopwire.Engine.Backends;
using Loopwire.Engine.Context;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Microsoft.Extensions.Logging;

namespace Loopwire.Engine.Compaction;

/// <summary>Whether a response compacts before it samples.</summary>
internal enum CompactionKind
{
    /// <summary>No compaction.</summary>
    None,

    /// <summary>The input ends with <c>compaction_trigger</c>: the output is the compaction item alone.</summary>
    Trigger,

    /// <summary><c>context_management</c> and the prompt is over its threshold: compact, then sample from the compacted context.</summary>
    Automatic,
}

/// <summary>The compaction step of a response stream.</summary>
internal static class CompactionStep
{
    /// <summary>The share of the context window that is the default <c>compact_threshold</c>. <value>0.8.</value></summary>
    public const double DefaultThresholdShare = 0.8;

    public static CompactionKind Kind(PreparedResponse p)
    {
        if (p.Request.Input is { Count: > 0 } input && input[^1] is CompactionTriggerItem)
        {
            return CompactionKind.Trigger;
        }

        var entry = p.Request.ContextManagement?.FirstOrDefault(e => e?.Type == "compaction");
        if (entry is null)
        {
            return CompactionKind.None;
        }

        int threshold = entry.CompactThreshold ?? (int)(p.ContextWindow * DefaultThresholdShare);
        // Only when there is something to compact: a context of user messages and one compaction item is already compact.
        bool compactable = p.ModelView.Items.Any(i => i is not MessageItem { Role: "user" or "system" or "developer" } and not CompactionItem);
        return p.PromptTokens > threshold && compactable ? CompactionKind.Automatic : CompactionKind.None;
    }

    /// <summary>Runs the compaction; a crash of the backend becomes a failure value, as for a turn.</summary>
    public static async Task<CompactionOutcome> RunAsync(Compactor compactor, ConversationState view, CreateResponseRequest request,
        ILogger logger, string responseId, CancellationToken ct)
    {
        try
        {
            return await compactor.CompactAsync(view, request, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            EngineLog.BackendCrashed(logger, ex, responseId);
            return new CompactionOutcome([], null, 0, new ModelFailed(ErrorCodes.ServerError, "The model backend failed to compact: " + ex.Message));
        }
    }
}
