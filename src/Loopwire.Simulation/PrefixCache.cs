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
        // The stamp is read before anything is looked up and grows after a drop is done: a note written while blocks were
        // being dropped carries an old stamp, so the next turn looks its blocks up again.
        long stamp = Volatile.Read(ref _drops);
        var hashes = context.BlockHashes;
        int count = hashes.Count;
        int known = context.CachedPrefix is { } note && ReferenceEquals(note.Cache, this) && note.Stamp == stamp ? Math.Min(note.Blocks, count) : 0;
        int hits = LookupAndInsert(hashes, known, count);
        context.CachedPrefix = new PrefixCacheNote(this, stamp, count);
        return hits;
    }

    /// <summary>Counts leading blocks present, then inserts the rest. Returns the number of leading blocks that hit.</summary>
    public int LookupAndInsert(IReadOnlyList<ulong> blockHashes)
    {
        ArgumentNullException.ThrowIfNull(blockHashes);
        return LookupAndInsert(blockHashes, 0, blockHashes.Count);
    }

    private int LookupAndInsert(IReadOnlyList<ulong> blockHashes, int known, int count)
    {
        int hits = known;
        while (hits < count && _blocks.ContainsKey(blockHashes[hits]))
        {
            hits++;
        }

        long now = Interlocked.Increment(ref _clock);
        if (hits > 0)
        {
            _blocks[blockHashes[hits - 1]] = now;
        }

        // The count is kept by these adds; a block dropped and put back between two steps here goes uncounted, which the
        // eviction corrects (it starts from the table's own count).
        for (int i = hits; i < count; i++)
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
            _blocks.Clear();
            Volatile.Write(ref _count, 0);
            Interlocked.Increment(ref _drops);
        }
    }

    private void Evict()
    {
        lock (_blocks)
        {
            int held = _blocks.Count;
            Volatile.Write(ref _count, held);
            if (held <= Capacity)
            {
                return;
            }

            var cutoff = _blocks.Values.Order().ElementAt(held / 2);
            foreach (var kv in _blocks)
            {
                if (kv.Value <= cutoff && _blocks.TryRemove(kv.Key, out _))
                {
                    Interlocked.Decrement(ref _count);
                }
            }

            Interlocked.Increment(ref _drops);
        }
    }
}
