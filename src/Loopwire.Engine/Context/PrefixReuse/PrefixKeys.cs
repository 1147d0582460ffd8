using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text.Json;
using Loopwire.Engine.Rendering;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;

namespace Loopwire.Engine.Context.PrefixReuse;

/// <summary>
/// The hash chain of a conversation: a seed over what changes rendering as a whole (model, instructions, tools), then one
/// link per item, <c>link[i] = H(link[i-1], key(item i))</c>, where an item's key is the renderer's
/// <see cref="ITokenRenderer.ItemKey"/> (equal keys render equal tokens).
/// </summary>
/// <remarks>128-bit XxHash128 links; an edit anywhere changes every later link, so a lookup misses from the point of change.</remarks>
internal static class PrefixKeys
{
    /// <summary>The seed of a conversation rendered with this model, instructions and tools.</summary>
    public static UInt128 Seed(string? model, string? instructions, IReadOnlyList<ToolDefinition>? tools)
    {
        var hasher = new XxHash128();
        AppendString(hasher, model);
        AppendString(hasher, instructions);
        Span<byte> count = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(count, tools?.Count ?? -1);
        hasher.Append(count);
        foreach (var tool in tools ?? [])
        {
            hasher.Append(JsonSerializer.SerializeToUtf8Bytes(tool, ProtocolJsonContext.Default.ToolDefinition));
            hasher.Append("\0"u8);
        }

        return hasher.GetCurrentHashAsUInt128();
    }

    /// <summary>The next link of the chain.</summary>
    public static UInt128 Link(UInt128 previous, UInt128 itemKey)
    {
        Span<UInt128> pair = [previous, itemKey];
        return XxHash128.HashToUInt128(MemoryMarshal.AsBytes(pair));
    }

    /// <summary>The links of <paramref name="items"/> after <paramref name="start"/>, one per item.</summary>
    public static UInt128[] Chain(ItemKeys keys, UInt128 start, IReadOnlyList<ResponseItem> items)
    {
        var links = new UInt128[items.Count];
        Fill(keys, ref start, items, links);
        return links;
    }

    /// <summary>The links of <paramref name="first"/> then <paramref name="second"/> after <paramref name="start"/>, one per item.</summary>
    public static UInt128[] Chain(ItemKeys keys, UInt128 start, IReadOnlyList<ResponseItem> first, IReadOnlyList<ResponseItem> second)
    {
        var links = new UInt128[first.Count + second.Count];
        Fill(keys, ref start, first, links);
        Fill(keys, ref start, second, links.AsSpan(first.Count));
        return links;
    }

    private static void Fill(ItemKeys keys, ref UInt128 link, IReadOnlyList<ResponseItem> items, Span<UInt128> links)
    {
        for (int i = 0; i < items.Count; i++)
        {
            link = Link(link, keys.Of(items[i]));
            links[i] = link;
        }
    }

    private static void AppendString(XxHash128 hasher, string? value)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, value?.Length ?? -1);
        hasher.Append(length);
        if (value is not null)
        {
            hasher.Append(MemoryMarshal.AsBytes(value.AsSpan()));
        }
    }
}
