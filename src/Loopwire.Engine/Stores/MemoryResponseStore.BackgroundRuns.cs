using Loopwire.Protocol.Streaming;

namespace Loopwire.Engine.Stores;

/// <summary>The background-run side of the memory store: event logs and leases in this process (one node).</summary>
public sealed partial class MemoryResponseStore : IBackgroundRunStore
{
    private readonly Lock _runsGate = new();
    private readonly Dictionary<string, List<ResponseEvent>> _logs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (BackgroundLease Lease, bool CancelRequested)> _leases = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task AppendEventsAsync(string responseId, IReadOnlyList<ResponseEvent> events, int maxEvents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(responseId);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        lock (_runsGate)
        {
            if (!_logs.TryGetValue(responseId, out var log))
            {
                _logs[responseId] = log = [];
            }

            log.AddRange(events);
            if (log.Count > maxEvents)
            {
                log.RemoveRange(0, log.Count - maxEvents);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<BackgroundEventPage> ReadEventsAsync(string responseId, int startingAfter, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(responseId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        lock (_runsGate)
        {
            if (!_logs.TryGetValue(responseId, out var log) || log.Count == 0)
            {
                return Task.FromResult(new BackgroundEventPage([], null, 0));
            }

            int first = log[0].SequenceNumber;
            int skip = Math.Max(0, startingAfter + 1 - first);
            var page = log.Skip(skip).Take(limit).ToList();
            return Task.FromResult(new BackgroundEventPage(page, first, log[^1].SequenceNumber + 1));
        }
    }

    /// <inheritdoc />
    public Task DeleteEventsAsync(string responseId, CancellationToken cancellationToken = default)
    {
        lock (_runsGate)
        {
            _logs.Remove(responseId);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task AcquireLeaseAsync(BackgroundLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_runsGate)
        {
            _leases[lease.ResponseId] = (lease, false);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<LeaseRenewal> RenewLeaseAsync(string responseId, string node, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        lock (_runsGate)
        {
            if (!_leases.TryGetValue(responseId, out var held) || held.Lease.Node != node)
            {
                return Task.FromResult(LeaseRenewal.Lost);
            }

            _leases[responseId] = (held.Lease with { ExpiresAt = expiresAt }, held.CancelRequested);
            return Task.FromResult(held.CancelRequested ? LeaseRenewal.CancelRequested : LeaseRenewal.Renewed);
        }
    }

    /// <inheritdoc />
    public Task ReleaseLeaseAsync(string responseId, string node, CancellationToken cancellationToken = default)
    {
        lock (_runsGate)
        {
            if (_leases.TryGetValue(responseId, out var held) && held.Lease.Node == node)
            {
                _leases.Remove(responseId);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<BackgroundLease?> RequestCancelAsync(string responseId, string? tenant, CancellationToken cancellationToken = default)
    {
        lock (_runsGate)
        {
            if (!_leases.TryGetValue(responseId, out var held) || held.Lease.Tenant != tenant)
            {
                return Task.FromResult<BackgroundLease?>(null);
            }

            _leases[responseId] = (held.Lease, true);
            return Task.FromResult<BackgroundLease?>(held.Lease);
        }
    }

    /// <inheritdoc />
    /// <remarks>One process owns the store, so there is no other node to defer to: never returns null.</remarks>
    public Task<IReadOnlyList<BackgroundLease>?> ClaimExpiredLeasesAsync(DateTimeOffset now, string claimant, DateTimeOffset claimUntil,
        CancellationToken cancellationToken = default)
    {
        lock (_runsGate)
        {
            var expired = _leases.Values.Where(l => l.Lease.ExpiresAt < now).ToList();
            foreach (var (lease, cancel) in expired)
            {
                _leases[lease.ResponseId] = (lease with { Node = claimant, ExpiresAt = claimUntil }, cancel);
            }

            return Task.FromResult<IReadOnlyList<BackgroundLease>?>([.. expired.Select(l => l.Lease)]);
        }
    }

    private void ForgetRun(string responseId)
    {
        lock (_runsGate)
        {
            _logs.Remove(responseId);
            _leases.Remove(responseId);
        }
    }
}
