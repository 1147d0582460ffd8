using Loopwire.Engine.Backends;
using Loopwire.Protocol.Items;

namespace Loopwire.Engine.Compaction;

/// <summary>What a backend made of a compaction request.</summary>
/// <param name="Summary">The compacted context as text, to be sealed by the engine; null when passed through or failed.</param>
/// <param name="PassthroughOutput">The upstream's own compaction output (user messages and its compaction item), unchanged.</param>
/// <param name="OutputTokens">Tokens the backend generated for it.</param>
/// <param name="Failure">Why it failed, or null.</param>
public sealed record CompactionResult(string? Summary, IReadOnlyList<ResponseItem>? PassthroughOutput, int OutputTokens, ModelFailed? Failure)
{
    /// <summary>A summary to seal.</summary>
    public static CompactionResult FromSummary(string summary, int outputTokens) => new(summary, null, outputTokens, null);

    /// <summary>A failure.</summary>
    public static CompactionResult Failed(ModelFailed failure) => new(null, null, 0, failure);
}

/// <summary>A backend that compacts a conversation itself (the simulated model; a Responses upstream passes it through).</summary>
/// <remarks>
/// A backend without it is asked for a summary with a normal turn (the chat translation does this), and the engine seals
/// the text. Implementations are thread-safe.
/// </remarks>
public interface ICompactionBackend
{
    /// <summary>
    /// True when compaction items belong to the upstream (they pass through unopened and are produced by the upstream);
    /// false when the backend returns a summary the engine seals.
    /// </summary>
    bool PassesCompactionThrough { get; }

    /// <summary>Compacts the conversation of <paramref name="request"/> (as the model sees it).</summary>
    Task<CompactionResult> CompactAsync(ModelRequest request, CancellationToken cancellationToken = default);
}
