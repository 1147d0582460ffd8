using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Serialization;

namespace Loopwire.Engine.Context;

/// <summary>
/// An idle conversation's items and rendered tokens, compressed: the items as UTF-8 JSON (the wire form, through
/// <see cref="ProtocolJsonContext"/>) and the tokens as little-endian ints, each with Brotli at its fastest quality.
/// </summary>
/// <remarks>
/// Immutable once made. Items round-trip through the same reader as stored responses; the one thing the wire form does not
/// carry, a compaction item's opened text, is kept beside the blob (compressed too) and put back on unpacking.
/// </remarks>
internal sealed class PackedConversation
{
    // Brotli quality 1 with a 4 MiB window: the fastest level; a conversation rarely outgrows the window.
    private const int Quality = 1;
    private const int Window = 22;

    private readonly byte[] _items;
    private readonly int _itemsLength;
    private readonly int _itemCount;
    private readonly byte[] _tokens;
    private readonly int _tokensLength;
    private readonly int[] _tokenCounts;
    private readonly (int Index, string Opened)[] _opened;

    private PackedConversation(byte[] items, int itemsLength, int itemCount, byte[] tokens, int tokensLength, int[] tokenCounts,
        (int, string)[] opened, long unpackedBytes)
    {
        _items = items;
        _itemsLength = itemsLength;
        _itemCount = itemCount;
        _tokens = tokens;
        _tokensLength = tokensLength;
        _tokenCounts = tokenCounts;
        _opened = opened;
        UnpackedBytes = unpackedBytes;
    }

    /// <summary>The state's memory estimate before packing (restored on unpacking).</summary>
    public long UnpackedBytes { get; }

    /// <summary>What the packed form holds (estimate, for the per-connection cap while packed).</summary>
    public long Bytes => 128 + _items.Length + _tokens.Length + _tokenCounts.Length * 4L
        + _opened.Sum(o => 32 + o.Opened.Length * 2L);

    /// <summary>Packs <paramref name="items"/> and the item tokens of <paramref name="rendered"/> (aligned with the items).</summary>
    public static PackedConversation Pack(IReadOnlyList<ResponseItem> items, IReadOnlyList<int[]>? rendered, long unpackedBytes)
    {
        var json = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartArray();
            foreach (var item in items)
            {
                JsonSerializer.Serialize(writer, item, ProtocolJsonContext.Default.ResponseItem);
            }

            writer.WriteEndArray();
        }

        var opened = new List<(int, string)>();
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is CompactionItem { Opened: { } text })
            {
                opened.Add((i, text));
            }
        }

        var tokenCounts = new int[rendered?.Count ?? 0];
        int totalTokens = 0;
        for (int i = 0; i < tokenCounts.Length; i++)
        {
            tokenCounts[i] = rendered![i].Length;
            totalTokens += tokenCounts[i];
        }

        byte[] tokens = [];
        int tokensLength = totalTokens * sizeof(int);
        if (totalTokens > 0)
        {
            var raw = ArrayPool<byte>.Shared.Rent(tokensLength);
            try
            {
                int offset = 0;
                foreach (var t in rendered!)
                {
                    WriteInts(t, raw.AsSpan(offset));
                    offset += t.Length * sizeof(int);
                }

                tokens = Compress(raw.AsSpan(0, tokensLength));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(raw);
            }
        }

        return new PackedConversation(Compress(json.WrittenSpan), json.WrittenCount, items.Count, tokens, tokensLength, tokenCounts,
            [.. opened], unpackedBytes);
    }

    /// <summary>The items, as they were packed.</summary>
    public List<ResponseItem> UnpackItems()
    {
        var json = ArrayPool<byte>.Shared.Rent(_itemsLength);
        try
        {
            Decompress(_items, json.AsSpan(0, _itemsLength));
            var items = new List<ResponseItem>(_itemCount);
            var reader = new Utf8JsonReader(json.AsSpan(0, _itemsLength));
            reader.Read();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                items.Add(JsonSerializer.Deserialize(ref reader, ProtocolJsonContext.Default.ResponseItem)!);
            }

            foreach (var (index, text) in _opened)
            {
                items[index] = (CompactionItem)items[index] with { Opened = text };
            }

            return items;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(json);
        }
    }

    /// <summary>The item tokens, as they were packed (one array per item).</summary>
    public int[][] UnpackTokens()
    {
        var result = new int[_tokenCounts.Length][];
        if (_tokensLength == 0)
        {
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = [];
            }

            return result;
        }

        var raw = ArrayPool<byte>.Shared.Rent(_tokensLength);
        try
        {
            Decompress(_tokens, raw.AsSpan(0, _tokensLength));
            int offset = 0;
            for (int i = 0; i < result.Length; i++)
            {
                var t = new int[_tokenCounts[i]];
                ReadInts(raw.AsSpan(offset, t.Length * sizeof(int)), t);
                offset += t.Length * sizeof(int);
                result[i] = t;
            }

            return result;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    private static byte[] Compress(ReadOnlySpan<byte> source)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(source.Length));
        try
        {
            if (!BrotliEncoder.TryCompress(source, buffer, out int written, Quality, Window))
            {
                throw new InvalidOperationException("Brotli could not compress into a buffer of its own maximum size.");
            }

            return buffer.AsSpan(0, written).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (!BrotliDecoder.TryDecompress(source, destination, out int written) || written != destination.Length)
        {
            throw new InvalidOperationException("A packed conversation did not decompress to its recorded size.");
        }
    }

    private static void WriteInts(ReadOnlySpan<int> values, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(destination);
            return;
        }

        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(destination[(i * sizeof(int))..], values[i]);
        }
    }

    private static void ReadInts(ReadOnlySpan<byte> source, Span<int> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            source.CopyTo(MemoryMarshal.AsBytes(values));
            return;
        }

        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(source[(i * sizeof(int))..]);
        }
    }
}
