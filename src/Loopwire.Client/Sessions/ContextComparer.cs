using System.Text.Json;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Serialization;

namespace Loopwire.Client.Sessions;

/// <summary>Decides whether a conversation extends a previous context, cheaply.</summary>
internal static class ContextComparer
{
    /// <summary>Whether <paramref name="items"/> starts with <paramref name="prefix"/>.</summary>
    /// <remarks>By reference first; two different instances are serialized and compared byte for byte, one pair at a time.</remarks>
    public static bool StartsWith(IReadOnlyList<ResponseItem> items, List<ResponseItem> prefix)
    {
        if (items.Count < prefix.Count)
        {
            return false;
        }

        for (int i = 0; i < prefix.Count; i++)
        {
            if (!ItemEquals(items[i], prefix[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether two items are the same on the wire.</summary>
    public static bool ItemEquals(ResponseItem a, ResponseItem b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.GetType() != b.GetType() || a.Type != b.Type || a.Id != b.Id)
        {
            return false;
        }

        var x = JsonSerializer.SerializeToUtf8Bytes(a, ProtocolJsonContext.Wire.ResponseItem);
        var y = JsonSerializer.SerializeToUtf8Bytes(b, ProtocolJsonContext.Wire.ResponseItem);
        return x.AsSpan().SequenceEqual(y);
    }

    /// <summary>The items after the first <paramref name="skip"/>.</summary>
    public static IReadOnlyList<ResponseItem> Tail(IReadOnlyList<ResponseItem> items, int skip)
    {
        var tail = new List<ResponseItem>(items.Count - skip);
        for (int i = skip; i < items.Count; i++)
        {
            tail.Add(items[i]);
        }

        return tail;
    }
}
