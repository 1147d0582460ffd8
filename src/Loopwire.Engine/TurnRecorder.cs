namespace Loopwire.Engine;

/// <summary>One finished turn as the server saw it: stage timings in milliseconds and what was rendered.</summary>
/// <remarks><see cref="Tenant"/> scopes who may read it.</remarks>
public sealed record TurnRecord(
    long Sequence,
    string ResponseId,
    string Transport,
    string Status,
    double ParseMs,
    double ResolveMs,
    double RenderMs,
    double ValidateMs,
    double StoreMs,
    double BackendTtftMs,
    double BackendMs,
    double OverheadMs,
    int ItemsReceived,
    int ItemsRendered,
    int TokensRendered,
    int PromptTokens,
    int CachedTokens,
    int OutputTokens,
    bool FromCache)
{
    /// <summary>The tenant the turn ran for (null without tenants); only that tenant may read the record.</summary>
    public string? Tenant { get; init; }

    /// <summary>
    /// Where the previous context came from: <c>cache</c>, <c>detached</c>, <c>store</c>, <c>prefix</c> (a re-sent history the prefix
    /// cache knew) or <c>full</c>.
    /// </summary>
    public string? Continuation { get; init; }

    /// <summary>Prompt tokens taken from the server-side prefix cache instead of being rendered.</summary>
    public int PrefixTokensReused { get; init; }
}

/// <summary>
/// The last turns the server ran (a bounded ring), so a benchmark can read the server's own stage timings.
/// </summary>
/// <remarks>Thread-safe. Holds at most <see cref="Capacity"/> records; older ones are dropped.</remarks>
public sealed class TurnRecorder(int capacity = 10_000)
{
    private readonly TurnRecord?[] _ring = new TurnRecord?[capacity];
    private readonly Lock _lock = new();
    private long _next;

    /// <summary>The most records kept.</summary>
    public int Capacity => _ring.Length;

    /// <summary>Adds a record and returns its sequence number.</summary>
    public long Add(Func<long, TurnRecord> create)
    {
        lock (_lock)
        {
            long seq = _next++;
            _ring[seq % _ring.Length] = create(seq);
            return seq;
        }
    }

    /// <summary>Records with a sequence number greater than <paramref name="after"/>, oldest first.</summary>
    /// <remarks>Every tenant's records: for the server's own use. Callers answering a tenant use the overload with a tenant.</remarks>
    public IReadOnlyList<TurnRecord> Since(long after, int max = 1000) => Collect(after, max, all: true, tenant: null);

    /// <summary>The records of <paramref name="tenant"/> with a sequence number greater than <paramref name="after"/>, oldest first.</summary>
    /// <param name="after">The last sequence number the caller has seen; -1 for all.</param>
    /// <param name="tenant">The caller's tenant; null is the tenant of callers without one (no auth, or a key without a tenant).</param>
    /// <param name="max">The most records returned.</param>
    /// <returns>At most <paramref name="max"/> records, all of <paramref name="tenant"/>.</returns>
    public IReadOnlyList<TurnRecord> Since(long after, string? tenant, int max = 1000) => Collect(after, max, all: false, tenant);

    /// <summary>The record of a response, if still held.</summary>
    /// <remarks>Any tenant's: for the server's own use. Callers answering a tenant use the overload with a tenant.</remarks>
    public TurnRecord? Find(string responseId) => FindCore(responseId, all: true, tenant: null);

    /// <summary>The record of a response of <paramref name="tenant"/>, if still held; another tenant's response is not found.</summary>
    /// <param name="responseId">The response id.</param>
    /// <param name="tenant">The caller's tenant (null: callers without one).</param>
    /// <returns>The record, or null.</returns>
    public TurnRecord? Find(string responseId, string? tenant) => FindCore(responseId, all: false, tenant);

    private List<TurnRecord> Collect(long after, int max, bool all, string? tenant)
    {
        lock (_lock)
        {
            long first = Math.Max(after + 1, Math.Max(0, _next - _ring.Length));
            var list = new List<TurnRecord>();
            for (long s = first; s < _next && list.Count < max; s++)
            {
                var r = _ring[s % _ring.Length]!;
                if (all || string.Equals(r.Tenant, tenant, StringComparison.Ordinal))
                {
                    list.Add(r);
                }
            }

            return list;
        }
    }

    private TurnRecord? FindCore(string responseId, bool all, string? tenant)
    {
        lock (_lock)
        {
            foreach (var r in _ring)
            {
                if (r?.ResponseId == responseId && (all || string.Equals(r.Tenant, tenant, StringComparison.Ordinal)))
                {
                    return r;
                }
            }

            return null;
        }
    }
}
