using Loopwire.Protocol.Items;

namespace Loopwire.Engine.Compaction;

/// <summary>How compaction items reach an upstream that cannot open Loopwire's sealed envelopes.</summary>
internal static class CompactionForUpstream
{
    /// <summary>The preface of the message that carries an opened compaction to an upstream model.</summary>
    public const string Preface = "Summary of the earlier conversation (compacted):\n";

    /// <summary>
    /// An opened compaction item (Loopwire's own) becomes a user message with its text; an unopened one (the upstream's)
    /// and every other item pass unchanged.
    /// </summary>
    public static ResponseItem Item(ResponseItem item) => item is CompactionItem { Opened: { } text }
        ? new MessageItem { Role = "user", Content = MessageContent.FromText(Preface + text) }
        : item;
}
