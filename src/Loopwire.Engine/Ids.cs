using System.Security.Cryptography;
using Loopwire.Protocol.Items;

namespace Loopwire.Engine;

/// <summary>Creates the opaque ids of responses and items.</summary>
public static class Ids
{
    /// <summary>A new response id: <c>resp_</c> + 48 hex chars.</summary>
    public static string NewResponseId() => WithHex("resp_", 24);

    /// <summary>A new item id with the given prefix (<c>msg</c>, <c>fc</c>, <c>rs</c>, ...).</summary>
    public static string NewItemId(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return WithHex(prefix + "_", 24);
    }

    /// <summary>The id prefix for an item type.</summary>
    public static string PrefixFor(string itemType) => itemType switch
    {
        "message" => "msg",
        "function_call" => "fc",
        "function_call_output" => "fco",
        "custom_tool_call" => "ctc",
        "custom_tool_call_output" => "ctco",
        "reasoning" => "rs",
        _ => "item",
    };

    /// <summary>A copy of <paramref name="item"/> with a new id of its type's prefix.</summary>
    internal static ResponseItem WithNewId(ResponseItem item) => item with { Id = NewItemId(PrefixFor(item.Type)) };

    /// <summary><paramref name="items"/> as stored: each item without an id becomes a copy with a new one.</summary>
    internal static List<ResponseItem> WithIds(IReadOnlyList<ResponseItem> items)
    {
        var result = new List<ResponseItem>(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            result.Add(items[i].Id is null ? WithNewId(items[i]) : items[i]);
        }

        return result;
    }

    /// <summary><paramref name="head"/> followed by <paramref name="bytes"/> random bytes in lower-case hex, in one allocation.</summary>
    private static string WithHex(string head, int bytes) => string.Create(head.Length + 2 * bytes, (head, bytes), static (span, state) =>
    {
        state.head.AsSpan().CopyTo(span);
        Span<byte> b = stackalloc byte[state.bytes];
        RandomBytes.Fill(b);
        Convert.TryToHexStringLower(b, span[state.head.Length..], out _);
    });

    /// <summary>
    /// Cryptographically random bytes, drawn from the system generator a block at a time: one call per id cost more than the
    /// rest of an id (a turn makes two or more).
    /// </summary>
    private static class RandomBytes
    {
        private const int BlockSize = 1024;

        [ThreadStatic]
        private static byte[]? t_block;

        [ThreadStatic]
        private static int t_used;

        public static void Fill(Span<byte> destination)
        {
            if (destination.Length > BlockSize / 4)
            {
                RandomNumberGenerator.Fill(destination);
                return;
            }

            var block = t_block ??= new byte[BlockSize];
            if (t_used == 0 || t_used + destination.Length > BlockSize)
            {
                RandomNumberGenerator.Fill(block);
                t_used = 0;
            }

            var source = block.AsSpan(t_used, destination.Length);
            source.CopyTo(destination);
            // Each byte is handed out once.
            source.Clear();
            t_used += destination.Length;
        }
    }
}
