namespace Loopwire.Bench.Report;

/// <summary>The fixed order, colour and line style of each benchmark arm, shared by every chart and legend.</summary>
/// <remarks>
/// Colours are from the Okabe–Ito palette (safe for the common colour-vision deficiencies): HTTP arms warm, WebSocket arms
/// cool (gRPC, the other session transport, green), and within each pair the lighter shade is the one that differs from the baseline in one respect only. Lines
/// also differ by dash pattern so that a grey-scale print stays readable.
/// </remarks>
internal static class ArmStyle
{
    public const string HttpStateless = "http-stateless";
    public const string HttpChained = "http-chained";
    public const string WsFull = "ws-full";
    public const string Ws = "ws";
    public const string HttpPolling = "http-polling";
    public const string Grpc = "grpc";

    public static readonly IReadOnlyList<string> Known = [HttpStateless, HttpChained, HttpPolling, WsFull, Ws, Grpc];

    public static string Color(string arm) => arm switch
    {
        HttpStateless => "#D55E00",
        HttpChained => "#E69F00",
        WsFull => "#56B4E9",
        Ws => "#0072B2",
        HttpPolling => "#CC79A7",
        Grpc => "#009E73",
        _ => "#7F7F7F",
    };

    /// <summary>An SVG <c>stroke-dasharray</c>, empty for a solid line.</summary>
    public static string Dash(string arm) => arm switch
    {
        HttpStateless => "",
        HttpChained => "7 3",
        WsFull => "2 2",
        Ws => "",
        HttpPolling => "1 3",
        Grpc => "9 3 2 3",
        _ => "5 2 1 2",
    };

    public static double LineWidth(string arm) => arm == Ws ? 2.6 : 1.8;

    /// <summary>The known arms first, in their fixed order, then any others alphabetically.</summary>
    public static List<string> Sort(IEnumerable<string> arms) =>
        [.. arms.Distinct(StringComparer.Ordinal).OrderBy(Rank).ThenBy(a => a, StringComparer.Ordinal)];

    private static int Rank(string arm)
    {
        for (var i = 0; i < Known.Count; i++)
        {
            if (string.Equals(Known[i], arm, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return Known.Count;
    }
}
