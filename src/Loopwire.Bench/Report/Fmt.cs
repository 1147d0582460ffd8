using System.Globalization;
using System.Net;

namespace Loopwire.Bench.Report;

/// <summary>Number and text formatting for the report; invariant culture, never NaN or ∞ in the output.</summary>
internal static class Fmt
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>HTML-encodes text that comes from the data (also safe inside inline SVG).</summary>
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>An SVG coordinate.</summary>
    public static string C(double v) => double.IsFinite(v) ? Math.Round(v, 2).ToString("0.##", Inv) : "0";

    /// <summary>A number with about three significant digits and thousands separators.</summary>
    public static string Num(double v)
    {
        if (!double.IsFinite(v))
        {
            return "–";
        }

        var a = Math.Abs(v);
        return a switch
        {
            0 => "0",
            >= 100 => v.ToString("#,0", Inv),
            >= 10 => v.ToString("0.#", Inv),
            >= 1 => v.ToString("0.##", Inv),
            >= 0.01 => v.ToString("0.###", Inv),
            _ => v.ToString("0.####", Inv),
        };
    }

    public static string Int(long v) => v.ToString("#,0", Inv);

    /// <summary>A duration: milliseconds below two seconds, seconds above.</summary>
    public static string Ms(double ms) => !double.IsFinite(ms) ? "–" : Math.Abs(ms) >= 2000 ? Num(ms / 1000) + " s" : Num(ms) + " ms";

    /// <summary>Bytes in decimal units (kB = 1000 B), as on a link.</summary>
    public static string Bytes(double b) => Math.Abs(b) switch
    {
        >= 1e9 => Num(b / 1e9) + " GB",
        >= 1e6 => Num(b / 1e6) + " MB",
        >= 1e3 => Num(b / 1e3) + " kB",
        _ => Num(b) + " B",
    };

    /// <summary>Memory in binary units, as operating systems report it.</summary>
    public static string Memory(long b) => b >= 1L << 30 ? Num(b / (double)(1L << 30)) + " GiB" : Num(b / (double)(1L << 20)) + " MiB";

    /// <summary>Token counts: 950, 12k, 1.2M.</summary>
    public static string Tokens(double t) => Math.Abs(t) switch
    {
        >= 1e6 => Num(t / 1e6) + "M",
        >= 1e3 => Num(t / 1e3) + "k",
        _ => Num(t),
    };

    public static string Ratio(double? r) => r is { } v && double.IsFinite(v) ? v.ToString("0.00", Inv) + "×" : "n/a";

    public static string Percent(double fraction) => double.IsFinite(fraction) ? (fraction * 100).ToString("0.#", Inv) + "%" : "–";

    /// <summary>A tick formatter for a time axis: all ticks in seconds when the axis goes past one second, else in ms.</summary>
    public static Func<double, string> TimeTicks(double axisMaxMs) =>
        axisMaxMs > 1000 ? v => Num(v / 1000) + " s" : v => Num(v) + " ms";
}
