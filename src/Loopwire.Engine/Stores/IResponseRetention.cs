namespace Loopwire.Engine.Stores;

/// <summary>Deletes responses older than a retention period; implemented by the stores next to <see cref="IResponseStore"/>.</summary>
/// <remarks>
/// Kept apart from <see cref="IResponseStore"/> so that stores and fakes that do not expire anything need not implement it.
/// Thread-safe. A store shared by several nodes lets one node sweep at a time and tells the others to skip.
/// </remarks>
public interface IResponseRetention
{
    /// <summary>Deletes every response (and its items) created before <paramref name="createdBefore"/>, whatever its tenant.</summary>
    /// <param name="createdBefore">The cutoff; responses whose <c>created_at</c> is earlier are deleted.</param>
    /// <param name="cancellationToken">Cancels the sweep.</param>
    /// <returns>How many responses were deleted, or null when another node is sweeping the same store right now.</returns>
    Task<int?> DeleteCreatedBeforeAsync(DateTimeOffset createdBefore, CancellationToken cancellationToken = default);
}
