using System.Buffers;

namespace Loopwire.Protocol.Wire;

/// <summary>
/// Finds where JSON values end without reading or validating them: strings are skipped to their closing quote with a
/// vectorized search, containers by counting brackets. Used only to cut a message into pieces that are then validated
/// (or matched byte for byte against pieces validated before); a result on invalid JSON is meaningless, never trusted.
/// </summary>
internal static class JsonScan
{
    private static readonly SearchValues<byte> StringStops = SearchValues.Create("\"\\"u8);
    private static readonly SearchValues<byte> StructureStops = SearchValues.Create("\"{}[]"u8);
    private static readonly SearchValues<byte> ScalarStops = SearchValues.Create(",}] \t\r\n"u8);

    /// <summary>The first index at or after <paramref name="i"/> that is not JSON white space.</summary>
    public static int SkipWhitespace(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            i++;
        }

        return i;
    }

    /// <summary>The index after the string that starts at <paramref name="i"/> (a quote); -1 when it does not end.</summary>
    public static int SkipString(ReadOnlySpan<byte> json, int i)
    {
        i++;
        while (true)
        {
            if (i >= json.Length)
            {
                return -1;
            }

            int k = json[i..].IndexOfAny(StringStops);
            if (k < 0)
            {
                return -1;
            }

            i += k;
            if (json[i] == (byte)'"')
            {
                return i + 1;
            }

            i += 2; // a backslash and the byte it escapes
        }
    }

    /// <summary>The index after the value that starts at <paramref name="i"/>; -1 when it cannot be found.</summary>
    public static int SkipValue(ReadOnlySpan<byte> json, int i)
    {
        if (i >= json.Length)
        {
            return -1;
        }

        switch (json[i])
        {
            case (byte)'"':
                return SkipString(json, i);
            case (byte)'{' or (byte)'[':
                int depth = 0;
                while (true)
                {
                    int k = json[i..].IndexOfAny(StructureStops);
                    if (k < 0)
                    {
                        return -1;
                    }

                    i += k;
                    switch (json[i])
                    {
                        case (byte)'"':
                            i = SkipString(json, i);
                            if (i < 0)
                            {
                                return -1;
                            }

                            break;
                        case (byte)'{' or (byte)'[':
                            depth++;
                            i++;
                            break;
                        default:
                            depth--;
                            i++;
                            if (depth == 0)
                            {
                                return i;
                            }

                            break;
                    }
                }

            default:
                int end = json[i..].IndexOfAny(ScalarStops);
                return end < 0 ? json.Length : end == 0 ? -1 : i + end;
        }
    }
}
