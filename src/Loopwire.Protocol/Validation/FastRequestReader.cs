using System.Buffers;
using System.Text.Json;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Wire;

namespace Loopwire.Protocol.Validation;

/// <summary>
/// The fast way to read a request whose <c>input</c> is a long array, most of it seen before: the top level is cut with
/// <see cref="JsonScan"/>, each item's exact bytes are looked up in an <see cref="IItemParseCache"/> (a hit is neither
/// re-read nor re-validated: the same bytes parsed before), the others are parsed and validated on their own, and the rest of
/// the request (with <c>input</c> replaced by <c>[]</c>) goes through the serializer as usual.
/// </summary>
/// <remarks>
/// It gives up (returns false) on anything it is not sure of: no <c>input</c> array, an escaped key, a duplicate
/// <c>input</c>, an item that is not an object or does not parse, any error at all. The caller then reads the request the
/// ordinary way, which gives the same request or the exact error; so this path changes how fast, never what.
/// </remarks>
internal static class FastRequestReader
{
    /// <summary>
    /// The deepest nesting inside one item. The serializer allows 64 levels from the request's root, and an item sits two
    /// levels down (root object, input array); a lower bound here only sends more requests the ordinary way.
    /// </summary>
    private const int ItemMaxDepth = 61;

    public static bool TryParse(ReadOnlySpan<byte> json, IItemParseCache cache, out CreateResponseRequest? request, out string? streamId)
    {
        request = null;
        streamId = null;
        if (!TryScanTopLevel(json, cache, out int inputStart, out int inputEnd, out var items, ref streamId))
        {
            return false;
        }

        // The serializer reports bad UTF-8 only in the strings it reads; the ordinary path checks the whole body too.
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            return false;
        }

        int restLength = inputStart + 2 + (json.Length - inputEnd);
        byte[] rest = ArrayPool<byte>.Shared.Rent(restLength);
        try
        {
            json[..inputStart].CopyTo(rest);
            "[]"u8.CopyTo(rest.AsSpan(inputStart));
            json[inputEnd..].CopyTo(rest.AsSpan(inputStart + 2));
            var parsed = JsonSerializer.Deserialize(rest.AsSpan(0, restLength), ProtocolJsonContext.Default.CreateResponseRequest);
            if (parsed is null)
            {
                return false;
            }

            request = parsed with { Input = items };
            return true;
        }
        catch (Exception ex) when (ex is JsonException or ProtocolException or InvalidOperationException or NotSupportedException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rest);
        }
    }

    /// <summary>Walks the top-level object: reads the <c>input</c> array's items and a plain <c>stream_id</c>, skips the rest.</summary>
    private static bool TryScanTopLevel(ReadOnlySpan<byte> json, IItemParseCache cache, out int inputStart, out int inputEnd,
        out List<ResponseItem>? items, ref string? streamId)
    {
        inputStart = inputEnd = -1;
        items = null;
        bool streamIdSeen = false;
        bool typeSeen = false;
        int i = JsonScan.SkipWhitespace(json, 0);
        if (i >= json.Length || json[i] != (byte)'{')
        {
            return false;
        }

        i = JsonScan.SkipWhitespace(json, i + 1);
        while (true)
        {
            if (i >= json.Length || json[i] != (byte)'"')
            {
                return false;
            }

            int keyEnd = JsonScan.SkipString(json, i);
            if (keyEnd < 0)
            {
                return false;
            }

            var key = json[(i + 1)..(keyEnd - 1)];
            if (key.Contains((byte)'\\'))
            {
                return false;
            }

            i = JsonScan.SkipWhitespace(json, keyEnd);
            if (i >= json.Length || json[i] != (byte)':')
            {
                return false;
            }

            i = JsonScan.SkipWhitespace(json, i + 1);
            if (key.SequenceEqual("type"u8))
            {
                // WebSocket mode reads the first "type", the serializer the last: only one is taken here.
                if (typeSeen)
                {
                    return false;
                }

                typeSeen = true;
            }

            int valueEnd;
            if (key.SequenceEqual("input"u8))
            {
                if (items is not null || i >= json.Length || json[i] != (byte)'[')
                {
                    return false;
                }

                valueEnd = TryReadItems(json, i, cache, out items);
                inputStart = i;
                inputEnd = valueEnd;
            }
            else
            {
                valueEnd = JsonScan.SkipValue(json, i);
                if (!streamIdSeen && key.SequenceEqual("stream_id"u8) && valueEnd > 0)
                {
                    // Only a plain string is read here; anything else goes the ordinary way, which reports it.
                    var value = json[i..valueEnd];
                    if (value.Length < 2 || value[0] != (byte)'"' || value[1..].Contains((byte)'\\'))
                    {
                        return false;
                    }

                    streamIdSeen = true;
                    streamId = System.Text.Encoding.UTF8.GetString(value[1..^1]);
                }
            }

            if (valueEnd < 0)
            {
                return false;
            }

            i = JsonScan.SkipWhitespace(json, valueEnd);
            if (i >= json.Length)
            {
                return false;
            }

            if (json[i] == (byte)',')
            {
                i = JsonScan.SkipWhitespace(json, i + 1);
                continue;
            }

            return json[i] == (byte)'}' && JsonScan.SkipWhitespace(json, i + 1) == json.Length && items is not null;
        }
    }

    /// <summary>Reads the array of objects at <paramref name="start"/>; returns the index after it, or -1.</summary>
    private static int TryReadItems(ReadOnlySpan<byte> json, int start, IItemParseCache cache, out List<ResponseItem>? items)
    {
        items = [];
        int i = JsonScan.SkipWhitespace(json, start + 1);
        if (i < json.Length && json[i] == (byte)']')
        {
            return i + 1;
        }

        while (true)
        {
            if (i >= json.Length || json[i] != (byte)'{')
            {
                return -1;
            }

            int end = JsonScan.SkipValue(json, i);
            if (end < 0)
            {
                return -1;
            }

            var slice = json[i..end];
            var item = cache.Find(slice);
            if (item is null)
            {
                item = TryParseItem(slice);
                if (item is null)
                {
                    return -1;
                }

                cache.Add(slice, item);
            }

            items.Add(item);
            i = JsonScan.SkipWhitespace(json, end);
            if (i >= json.Length)
            {
                return -1;
            }

            if (json[i] == (byte)']')
            {
                return i + 1;
            }

            if (json[i] != (byte)',')
            {
                return -1;
            }

            i = JsonScan.SkipWhitespace(json, i + 1);
        }
    }

    /// <summary>Parses and validates one item that must span exactly <paramref name="slice"/>; null when it does not.</summary>
    private static ResponseItem? TryParseItem(ReadOnlySpan<byte> slice)
    {
        try
        {
            var reader = new Utf8JsonReader(slice, new JsonReaderOptions { MaxDepth = ItemMaxDepth });
            using var doc = JsonDocument.ParseValue(ref reader);
            if (reader.BytesConsumed != slice.Length)
            {
                return null;
            }

            return ItemReader.ReadItem(doc.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or ProtocolException or InvalidOperationException)
        {
            return null;
        }
    }
}
