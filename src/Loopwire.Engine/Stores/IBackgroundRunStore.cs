using Loopwire.Protocol.Streaming;

namespace Loopwire.Engine.Stores;

/// <summary>A page of a background response's persisted event log.</summary>
/// <param name="Events">The events after the requested sequence number, oldest first.</param>
/// <param name="FirstSequence">The oldest sequence number still kept, or null when the log holds no event.</param>
/// <param name="NextSequence">One past the newest sequence number kept (0 when the log is empty).</param>
public sealed record BackgroundEventPage(IReadOnlyList<ResponseEvent> Events, int? FirstSequence, int NextSequence);

/// <summary>The lease a node holds on a background run it executes.</summary>
/// <param name="ResponseId">The background response.</param>
/// <param name="Tenant">Its owner; null when the server runs without tenants.</param>
/// <param name="Node">The node that runs it (<c>Loopwire:Background:NodeId</c>).</param>
/// <param name="ExpiresAt">When the lease lapses unless renewed.</param>
public sealed record BackgroundLease(string ResponseId, string? Tenant, string Node, DateTimeOffset ExpiresAt);

/// <summary>What a lease renewal found.</summary>
public enum LeaseRenewal
{
    /// <summary>The lease is renewed; go on.</summary>
    Renewed,

    /// <summary>The lease is renewed and someone asked (on any node) to cancel the run.</summary>
    CancelRequested,

    /// <summary>The lease is gone: another node found it expired and marked the response failed. Stop without saving.</summary>
    Lost,
}

/// <summary>
/// The persisted side of background responses, kept next to <see cref="IResponseStore"/> so that every node sharing a
/// store sees it: the bounded event log (<c>GET ?stream=true&amp;starting_after=N</c> on any node), the lease of the
/// node that runs each response (a heartbeat; an expired lease means the node died), and cancel requests.
/// </summary>
/// <remarks>
/// Thread-safe. Rows belong to a stored response: they are removed with it (delete, retention). Sequence numbers of a
/// log are contiguous from 0; appending trims the log to the newest <c>maxEvents</c>.
/// </remarks>
public interface IBackgroundRunStore
{
    /// <summary>Appends events (contiguous, in order) and drops the oldest beyond <paramref name="maxEvents"/>.</summary>
    Task AppendEventsAsync(string responseId, IReadOnlyList<ResponseEvent> events, int maxEvents, CancellationToken cancellationToken = default);

    /// <summary>Reads up to <paramref name="limit"/> events with a sequence number above <paramref name="startingAfter"/> (-1 for all).</summary>
    Task<BackgroundEventPage> ReadEventsAsync(string responseId, int startingAfter, int limit, CancellationToken cancellationToken = default);

    /// <summary>Forgets the event log of a response (its retention has passed); the response itself stays.</summary>
    Task DeleteEventsAsync(string responseId, CancellationToken cancellationToken = default);

    /// <summary>Takes (or takes over) the lease of a run that starts on this node.</summary>
    Task AcquireLeaseAsync(BackgroundLease lease, CancellationToken cancellationToken = default);

    /// <summary>Extends the lease that <paramref name="node"/> holds on a run; tells whether a cancel was requested or the lease was lost.</summary>
    Task<LeaseRenewal> RenewLeaseAsync(string responseId, string node, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Drops the lease of a run that has stored its final status.</summary>
    Task ReleaseLeaseAsync(string responseId, string node, CancellationToken cancellationToken = default);

    /// <summary>Asks the node that runs a response to cancel it (seen at its next renewal, or at once where the store can notify).</summary>
    /// <returns>The current lease (the run is alive somewhere), or null when no node holds one.</returns>
    Task<BackgroundLease?> RequestCancelAsync(string responseId, string? tenant, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims the leases that expired before <paramref name="now"/> (their nodes stopped renewing) for
    /// <paramref name="claimant"/> until <paramref name="claimUntil"/>, so that one node ends each lost run; the claimant
    /// marks the response failed, then releases the lease. A claimant that dies too leaves a claim that expires in turn.
    /// </summary>
    /// <returns>The expired leases as they were (naming the lost node), or null when another node is sweeping right now.</returns>
    Task<IReadOnlyList<BackgroundLease>?> ClaimExpiredLeasesAsync(DateTimeOffset now, string claimant, DateTimeOffset claimUntil,
        CancellationToken cancellationToken = default);
}
