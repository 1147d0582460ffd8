using System.Globalization;

namespace Loopwire.Agent.Tools;

/// <summary>Formatting shared by the tools' messages.</summary>
internal static class ToolText
{
    /// <summary>Seconds without a trailing <c>.0</c>: 1, 0.5, 2.25.</summary>
    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
