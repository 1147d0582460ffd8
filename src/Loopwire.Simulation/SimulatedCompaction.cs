using System.Text;
using Loopwire.Protocol.Items;

namespace Loopwire.Simulation;

/// <summary>
/// How the simulated model compacts, deterministically: user, system and developer messages stay outside (the
/// compaction output repeats the user messages verbatim); everything else becomes one line each, newest kept when long.
/// </summary>
/// <remarks>
/// Kept: a previous compaction's text (up to <see cref="MaxEarlierChars"/>), each assistant message's first
/// <see cref="MaxTextChars"/> characters, each tool call as <c>name(arguments)</c> (arguments up to
/// <see cref="MaxArgumentChars"/>) with the first <see cref="MaxTextChars"/> characters of its output. Dropped: reasoning,
/// and the oldest lines beyond <see cref="MaxSummaryChars"/> in all.
/// </remarks>
public static class SimulatedCompaction
{
    /// <summary>Characters kept of an assistant message or a tool output. <value>160.</value></summary>
    public const int MaxTextChars = 160;

    /// <summary>Characters kept of a call's arguments. <value>120.</value></summary>
    public const int MaxArgumentChars = 120;

    /// <summary>Characters kept of a previous compaction. <value>2000.</value></summary>
    public const int MaxEarlierChars = 2000;

    /// <summary>The longest summary. <value>8000.</value></summary>
    public const int MaxSummaryChars = 8000;

    /// <summary>The compacted text of <paramref name="items"/>.</summary>
    public static string Summarize(IReadOnlyList<ResponseItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            switch (item)
            {
                case FunctionCallOutputItem o: outputs[o.CallId] = o.Output.JoinedText(); break;
                case CustomToolCallOutputItem o: outputs[o.CallId] = o.Output.JoinedText(); break;
            }
        }

        string? earlier = null;
        var lines = new List<string>();
        int assistant = 0, calls = 0, dropped = 0;
        foreach (var item in items)
        {
            switch (item)
            {
                case CompactionItem c:
                    earlier = Cut(c.Opened ?? string.Empty, MaxEarlierChars);
                    lines.Clear();
                    break;
                case MessageItem { Role: "assistant" } m:
                    assistant++;
                    lines.Add("- assistant: " + Cut(m.Content.JoinedText(), MaxTextChars));
                    break;
                case FunctionCallItem f:
                    calls++;
                    lines.Add($"- {f.Name}({Cut(f.Arguments, MaxArgumentChars)}) -> {Cut(outputs.GetValueOrDefault(f.CallId) ?? "(no output yet)", MaxTextChars)}");
                    break;
                case CustomToolCallItem c:
                    calls++;
                    lines.Add($"- {c.Name}[{Cut(c.Input, MaxArgumentChars)}] -> {Cut(outputs.GetValueOrDefault(c.CallId) ?? "(no output yet)", MaxTextChars)}");
                    break;
                case MessageItem or FunctionCallOutputItem or CustomToolCallOutputItem or CompactionTriggerItem:
                    break;
                case ReasoningItem:
                    dropped++;
                    break;
                default:
                    lines.Add($"- {item.Type} item");
                    break;
            }
        }

        var sb = new StringBuilder();
        sb.Append("Compacted context: ").Append(assistant).Append(" assistant messages, ").Append(calls).Append(" tool calls");
        sb.Append(", ").Append(dropped).Append(" reasoning items dropped.\n");
        if (earlier is not null)
        {
            sb.Append("Earlier: ").Append(earlier).Append('\n');
        }

        int budget = MaxSummaryChars - sb.Length;
        int first = lines.Count;
        while (first > 0 && budget - lines[first - 1].Length - 1 >= 0)
        {
            budget -= lines[first - 1].Length + 1;
            first--;
        }

        if (first > 0)
        {
            sb.Append("(").Append(first).Append(" older steps omitted)\n");
        }

        for (int i = first; i < lines.Count; i++)
        {
            sb.Append(lines[i]).Append('\n');
        }

        return sb.ToString();
    }

    private static string Cut(string text, int max)
    {
        text = text.ReplaceLineEndings(" ");
        if (text.Length <= max)
        {
            return text;
        }

        int cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return text[..cut] + "…";
    }
}
