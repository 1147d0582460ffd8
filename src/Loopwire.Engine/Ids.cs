using System.Security.Cryptography;
using Loopwire.Protocol.Items;

namespace Loopwire.Engine;

/// <summary>Creates the opaque ids of responses and items.</summary>
public static class Ids
{
    /// <summary>A new response id: <c>resp_</c> + 48 hex chars.</summary>
    public static string NewResponseId() => "resp_" + Hex(24);

    /// <summary>A new item id with the given prefix (<c>msg</c>, <c>fc</c>, <c>rs</c>, ...).</summary>
    public static string NewItemId(string prefix) => prefix + "_" + Hex(24);

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

    private static string Hex(int bytes)
    {
        Span<byte> b = stackalloc byte[bytes];
        RandomNumberGenerator.Fill(b);
        return Convert.ToHexStringLower(b);
    }
}
