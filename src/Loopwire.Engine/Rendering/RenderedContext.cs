using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Loopwire.Engine.Rendering;

/// <summary>
/// The rendered prompt of a conversation: the header tokens, the tokens of each item, and the chained hashes of
/// every full block of tokens (what an inference server's prefix/KV cache is keyed by).
/// </summary>
/// <remarks>
/// Appending is O(new tokens): full blocks are hashed once, as they fill. A context is owned by one conversation at a
/// time and is not thread-safe; the connection cache hands it from one turn to the next instead of copying it.
/// </remarks>
public sealed class RenderedContext
{
    /// <summary>Tokens per prefix-cache block. <value>64.</value></summary>
    public const int BlockSize = 64;

    private readonly List<int[]> _items = [];
    private readonly List<ulong> _blockHashes = [];
    private readonly int[] _tail = new int[BlockSize];
    private int _tailCount;

    /// <summary>Creates a context with the given header tokens.</summary>
    public RenderedContext(int[] header)
    {
        Header = header;
        Feed(header);
    }

    /// <summary>The header tokens (instructions and tools).</summary>
    public int[] Header { get; }

    /// <summary>Rendered tokens of each item, aligned with the conversation's items.</summary>
    public IReadOnlyList<int[]> Items => _items;

    /// <summary>Chained hashes of the full blocks so far.</summary>
    public IReadOnlyList<ulong> BlockHashes => _blockHashes;

    /// <summary>All tokens: header plus items.</summary>
    public int TotalTokens { get; private set; }

    /// <summary>
    /// A model backend's note kept with the context: how many leading blocks its prefix cache held when it last looked, and
    /// that cache's stamp then. The context keeps it as it grows (truncation shortens it), so the next turn need look up
    /// only the blocks after them. Null until a backend sets it.
    /// </summary>
    public PrefixCacheNote? CachedPrefix { get; set; }

    /// <summary>Appends an item's tokens.</summary>
    public void Append(int[] itemTokens)
    {
        _items.Add(itemTokens);
        Feed(itemTokens);
    }

    /// <summary>Drops the items after the first <paramref name="count"/> (a turn rolled back); blocks hashed before stay.</summary>
    public void TruncateItems(int count)
    {
        if (count < 0 || count >= _items.Count)
        {
            return;
        }

        _items.RemoveRange(count, _items.Count - count);
        int total = Header.Length;
        foreach (var t in _items)
        {
            total += t.Length;
        }

        int fullBlocks = total / BlockSize;
        _blockHashes.RemoveRange(fullBlocks, _blockHashes.Count - fullBlocks);
        if (CachedPrefix is { } note && note.Blocks > fullBlocks)
        {
            CachedPrefix = note with { Blocks = fullBlocks };
        }

        TotalTokens = total;
        _tailCount = 0;
        int tailStart = fullBlocks * BlockSize;
        int offset = 0;
        CopyTail(Header, ref offset, tailStart);
        foreach (var t in _items)
        {
            CopyTail(t, ref offset, tailStart);
        }
    }

    /// <summary>Drops the item tokens (a conversation packed them) and keeps only the hashes and the tail; see <see cref="RestoreItems"/>.</summary>
    internal void DropItems()
    {
        _items.Clear();
        _items.Capacity = 0;
        _blockHashes.TrimExcess();
    }

    /// <summary>Puts back the item tokens <see cref="DropItems"/> dropped (hashes, tail and totals never changed).</summary>
    internal void RestoreItems(int[][] items)
    {
        _items.Capacity = items.Length;
        _items.AddRange(items);
    }

    /// <summary>A hash of the whole token sequence (full blocks and the partial tail).</summary>
    public ulong ContextHash()
    {
        ulong last = _blockHashes.Count == 0 ? 0 : _blockHashes[^1];
        return Chain(last, _tail.AsSpan(0, _tailCount)) ^ (ulong)TotalTokens;
    }

    /// <summary>Creates a context with a new header and the same item tokens (re-hashing, not re-tokenizing).</summary>
    public RenderedContext WithHeader(int[] header)
    {
        var copy = new RenderedContext(header);
        foreach (var t in _items)
        {
            copy.Append(t);
        }

        return copy;
    }

    /// <summary>Copies the part of <paramref name="tokens"/> (which start at <paramref name="offset"/>) at or after <paramref name="tailStart"/> into the tail.</summary>
    private void CopyTail(int[] tokens, ref int offset, int tailStart)
    {
        int end = offset + tokens.Length;
        if (end > tailStart)
        {
            int from = Math.Max(0, tailStart - offset);
            tokens.AsSpan(from).CopyTo(_tail.AsSpan(_tailCount));
            _tailCount += tokens.Length - from;
        }

        offset = end;
    }

    private void Feed(ReadOnlySpan<int> tokens)
    {
        TotalTokens += tokens.Length;
        while (!tokens.IsEmpty)
        {
            int n = Math.Min(BlockSize - _tailCount, tokens.Length);
            tokens[..n].CopyTo(_tail.AsSpan(_tailCount));
            _tailCount += n;
            tokens = tokens[n..];
            if (_tailCount == BlockSize)
            {
                ulong prev = _blockHashes.Count == 0 ? 0 : _blockHashes[^1];
                _blockHashes.Add(Chain(prev, _tail));
                _tailCount = 0;
            }
        }
    }

    private static ulong Chain(ulong previous, ReadOnlySpan<int> tokens)
    {
        // One shot over (previous, tokens): the same hash as streaming both into an XxHash3, without a hasher per block.
        var bytes = MemoryMarshal.AsBytes(tokens);
        Span<byte> buffer = stackalloc byte[8 + BlockSize * sizeof(int)];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, previous);
        bytes.CopyTo(buffer[8..]);
        return XxHash3.HashToUInt64(buffer[..(8 + bytes.Length)]);
    }
}

/// <summary>What <see cref="RenderedContext.CachedPrefix"/> holds.</summary>
/// <param name="Cache">The prefix cache the note is about.</param>
/// <param name="Stamp">That cache's stamp when it held the blocks (it changes when it drops any).</param>
/// <param name="Blocks">The leading blocks it held.</param>
public sealed record PrefixCacheNote(object Cache, long Stamp, int Blocks);
