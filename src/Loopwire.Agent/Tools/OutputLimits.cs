using System.Globalization;
using System.Text;

namespace Loopwire.Agent.Tools;

/// <summary>Byte caps on tool outputs, cut on UTF-8 character boundaries.</summary>
internal static class OutputLimits
{
    /// <summary>Returns the longest prefix of <paramref name="text"/> that fits in <paramref name="maxBytes"/> UTF-8 bytes.</summary>
    public static string KeepStart(string text, int maxBytes, out bool truncated)
    {
        truncated = false;
        if (text.Length * 3 <= maxBytes || Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        truncated = true;
        var bytes = Encoding.UTF8.GetBytes(text);
        int cut = maxBytes;
        while (cut > 0 && (bytes[cut] & 0xC0) == 0x80)
        {
            cut--;
        }

        return Encoding.UTF8.GetString(bytes, 0, cut);
    }

    /// <summary>Returns the longest suffix of <paramref name="text"/> that fits, prefixed by a note when cut.</summary>
    public static string KeepEnd(string text, int maxBytes)
    {
        if (text.Length * 3 <= maxBytes || Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        int start = bytes.Length - maxBytes;
        while (start < bytes.Length && (bytes[start] & 0xC0) == 0x80)
        {
            start++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"[... {start} earlier bytes not shown]\n") + Encoding.UTF8.GetString(bytes, start, bytes.Length - start);
    }

    /// <summary>Caps a whole tool output, appending a note that says it was truncated.</summary>
    public static string Cap(string text, int maxBytes, string hint)
    {
        var kept = KeepStart(text, maxBytes, out bool truncated);
        if (!truncated)
        {
            return text;
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"{kept}\n[output truncated: showing {Encoding.UTF8.GetByteCount(kept):N0} of {Encoding.UTF8.GetByteCount(text):N0} bytes; {hint}]");
    }
}
