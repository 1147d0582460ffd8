using System.Collections.Concurrent;
using Loopwire.Engine.Rendering;

namespace Loopwire.Simulation;

/// <summary>
/// The simulated model's KV/prefix cache: a set of chained block hashes shared by every request, like an inference
/// server's prefix cache. A prompt's cached tokens are its leading blocks already present.
/// </summary>
/// <remarks>Thread-safe. Bounded: beyond <see cref="Capacity"/> blocks, the least recently inserted half is evicted.</remarks>
public sealed class PrefixCache(int capacity = 2_000_000)
{
    private readonly ConcurrentDictionary<ulong, long> _blocks = new();
    private long _clock;
    // The dictionary's own Count takes every lock of the table; this one is kept by the inserts and the eviction.
    private int _count;
    // Grows whenever blocks are dropped: a context's note of blocks held at an older stamp must be checked again.
    private long _drops;

    /// <summary>The most blocks kept.</summary>
    public int Capacity { get; } = capacity;

    /// <summary>Blocks held now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// <see cref="LookupAndInsert(IReadOnlyList{ulong})"/> for a context's blocks, skipping the leading blocks its note says this
    /// cache held when nothing has been dropped since: a continuation looks up only its new blocks.
    /// </summary>
    public int LookupAndInsert(RenderedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        long stamp = Volatile.Read(ref _drops);
        var hashes = context.BlockHashes;
        int known = context.CachedPrefix is { } note && ReferenceEquals(note.Cache, this) && note.Stamp == stamp ? Math.Min(note.Blocks, hashes.Count) : 0;
        int hits = LookupAndInsert(hashes, known);
        context.CachedPrefix = new PrefixCacheNote(this, stamp, hashes.Count);
        return hits;
    }

    /// <summary>Counts leading blocks present, then inserts the rest. Returns the number of leading blocks that hit.</summary>
    public int LookupAndInsert(IReadOnlyList<ulong> blockHashes) => LookupAndInsert(blockHashes, 0);

    private int LookupAndInsert(IReadOnlyList<ulong> blockHashes, int known)
    {
        ArgumentNullException.ThrowIfNull(blockHashes);
        int hits = known;
        while (hits < blockHashes.Count && _blocks.ContainsKey(blockHashes[hits]))
        {
            hits++;
        }

        long now = Interlocked.Increment(ref _clock);
        if (hits > 0)
        {
            _blocks[blockHashes[hits - 1]] = now;
        }

        for (int i = hits; i < blockHashes.Count; i++)
        {
            if (_blocks.TryAdd(blockHashes[i], now))
            {
                Interlocked.Increment(ref _count);
            }
            else
            {
                _blocks[blockHashes[i]] = now;
            }
        }

        if (Volatile.Read(ref _count) > Capacity)
        {
            Evict();
        }

        return hits;
    }

    /// <summary>Drops everything (tests and benchmark cold starts).</summary>
    public void Clear()
    {
        lock (_blocks)
        {
            Interlocked.Increment(ref _drops);
            _blocks.Clear();
            Volatile.Write(ref _count, 0);
        }
    }

    private void Evict()
    {
        lock (_blocks)
        {
            if (_blocks.Count <= Capacity)
            {
                return;
            }

            Interlocked.Increment(ref _drops);
            var cutoff = _blocks.Values.Order().ElementAt(_blocks.Count / 2);
            foreach (var kv in _blocks)
            {
                if (kv.Value <= cutoff && _blocks.TryRemove(kv.Key, out _))
                {
                    Interlocked.Decrement(ref _count);
                }
            }
        }
    }
}
