namespace Loopwire.Engine;

/// <summary>One finished turn as the server saw it: stage timings in milliseconds and what was rendered.</summary>
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
    bool FromCache);

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
    public IReadOnlyList<TurnRecord> Since(long after, int max = 1000)
    {
        lock (_lock)
        {
            long first = Math.Max(after + 1, Math.Max(0, _next - _ring.Length));
            var list = new List<TurnRecord>();
            for (long s = first; s < _next && list.Count < max; s++)
            {
                list.Add(_ring[s % _ring.Length]!);
            }

            return list;
        }
    }

    /// <summary>The record of a response, if still held.</summary>
    public TurnRecord? Find(string responseId)
    {
        lock (_lock)
        {
            foreach (var r in _ring)
            {
                if (r?.ResponseId == responseId)
                {
                    return r;
                }
            }

            return null;
        }
    }
}
