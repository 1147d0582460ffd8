namespace Loopwire.Engine.Stores;

/// <summary>A store that loads a whole chain of responses in one call (one round trip), used by <see cref="ConversationLoader"/>.</summary>
/// <remarks>
/// Optional next to <see cref="IResponseStore"/>: without it the loader walks the parent links one
/// <see cref="IResponseStore.GetAsync"/> at a time, which costs one round trip per turn on a remote database.
/// Thread-safe.
/// </remarks>
public interface IResponseChainStore
{
    /// <summary>
    /// Returns the responses from <paramref name="responseId"/> back through its parents, newest first, stopping at the
    /// first one that is missing or of another tenant, or after <paramref name="maxDepth"/> responses.
    /// </summary>
    /// <param name="responseId">The newest response of the chain.</param>
    /// <param name="tenant">The caller's tenant; responses of other tenants count as missing.</param>
    /// <param name="maxDepth">The most responses to return.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>
    /// The responses found, newest first; empty when <paramref name="responseId"/> is absent. The chain is complete when
    /// the last one has no <see cref="StoredResponse.PreviousResponseId"/>.
    /// </returns>
    Task<IReadOnlyList<StoredResponse>> GetChainAsync(string responseId, string? tenant, int maxDepth, CancellationToken cancellationToken = default);
}
