using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;
using Microsoft.ML.Tokenizers;

namespace Loopwire.Engine.Rendering;

/// <summary>Turns items into model tokens.</summary>
/// <remarks>Implementations are thread-safe and deterministic: the same item always renders to the same tokens.</remarks>
public interface ITokenRenderer
{
    /// <summary>Renders the request-level header: instructions and tool definitions.</summary>
    int[] RenderHeader(string? instructions, IReadOnlyList<ToolDefinition>? tools);

    /// <summary>Renders one item.</summary>
    int[] RenderItem(ResponseItem item);

    /// <summary>Counts the tokens of plain text (model output).</summary>
    int CountTokens(string text);

    /// <summary>A 128-bit key of what <paramref name="item"/> renders from: two items with equal keys render equal tokens.</summary>
    /// <remarks>The prefix cache chains these keys. The default hashes the item's JSON (stricter than needed: ids count too).</remarks>
    UInt128 ItemKey(ResponseItem item) =>
        XxHash128.HashToUInt128(JsonSerializer.SerializeToUtf8Bytes(item, ProtocolJsonContext.Default.ResponseItem));
}

/// <summary>Renders with the o200k_base encoding and a ChatML-like template.</summary>
public sealed class O200kTokenRenderer : ITokenRenderer
{
    private static readonly Lazy<Tokenizer> SharedTokenizer = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    private static readonly int[] MessageClose = TiktokenEncode(SharedTokenizer.Value, "<|end|>\n");

    private readonly Tokenizer _tokenizer = SharedTokenizer.Value;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int[]> _roleHeaders = new(StringComparer.Ordinal);
    private readonly Encoded?[] _recent = new Encoded?[RecentSlots];

    /// <summary>Slots of the recent-encodings memo (direct-mapped by the text's hash).</summary>
    private const int RecentSlots = 256;

    /// <summary>Texts shorter than this are not memoized (the tokenizer's own cache serves them).</summary>
    private const int RecentMinChars = 64;

    /// <summary>Texts longer than this are not memoized (the memo stays small: at most 256 of them).</summary>
    private const int RecentMaxChars = 8 * 1024;

    /// <inheritdoc />
    public int[] RenderHeader(string? instructions, IReadOnlyList<ToolDefinition>? tools)
    {
        var sb = new StringBuilder();
        if (!string.IsNullOrEmpty(instructions))
        {
            sb.Append("<|start|>system\n").Append(instructions).Append("<|end|>\n");
        }

        if (tools is { Count: > 0 })
        {
            sb.Append("<|start|>tools\n");
            foreach (var t in tools)
            {
                sb.Append("## ").Append(t.Type).Append(' ').Append(t.Name).Append('\n');
                if (t.Description is not null)
                {
                    sb.Append(t.Description).Append('\n');
                }

                if (t.Parameters is { } p)
                {
                    sb.Append(p.GetRawText()).Append('\n');
                }
            }

            sb.Append("<|end|>\n");
        }

        return Encode(sb.ToString());
    }

    /// <inheritdoc />
    /// <remarks>
    /// A message renders as its template's opening line, its content and its closing line, each tokenized on its own, as a
    /// chat template's special tokens never merge with the content. So a message's content costs exactly
    /// <see cref="CountTokens"/> of its text, and the model output just counted is not tokenized a second time when it joins
    /// the conversation (<see cref="EncodeText"/> keeps recent encodings).
    /// </remarks>
    public int[] RenderItem(ResponseItem item)
    {
        if (item is not MessageItem m)
        {
            return Encode(RenderText(item));
        }

        var open = _roleHeaders.TryGetValue(m.Role, out var cached) ? cached : RoleHeader(m.Role);
        var content = EncodeText(ContentText(m.Content));
        var tokens = new int[open.Length + content.Length + MessageClose.Length];
        open.CopyTo(tokens, 0);
        content.CopyTo(tokens, open.Length);
        MessageClose.CopyTo(tokens, open.Length + content.Length);
        return tokens;
    }

    /// <inheritdoc />
    public int CountTokens(string text) => EncodeText(text).Length;

    /// <inheritdoc />
    /// <remarks>The hash of the item's template text: the tokens are a function of that text alone.</remarks>
    public UInt128 ItemKey(ResponseItem item)
    {
        if (item is not MessageItem m)
        {
            return XxHash128.HashToUInt128(MemoryMarshal.AsBytes(RenderText(item).AsSpan()));
        }

        // A message's template text assembled in a pooled buffer and hashed there: RenderText's text, without the string.
        string role = m.Role ?? string.Empty;
        string content = ContentText(m.Content);
        int length = MessageTextLength(role, content);
        char[] buffer = System.Buffers.ArrayPool<char>.Shared.Rent(length);
        try
        {
            var text = buffer.AsSpan(0, length);
            WriteMessageText(text, role, content);
            return XxHash128.HashToUInt128(MemoryMarshal.AsBytes(text));
        }
        finally
        {
            System.Buffers.ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>The template text of an item (what a chat template would produce).</summary>
    internal static string RenderText(ResponseItem item) => item switch
    {
        MessageItem m => MessageText(m.Role ?? string.Empty, ContentText(m.Content)),
        FunctionCallItem f => $"<|start|>assistant to={f.Name} call={f.CallId}\n{f.Arguments}<|end|>\n",
        FunctionCallOutputItem o => $"<|start|>tool call={o.CallId}\n{ContentText(o.Output)}<|end|>\n",
        CustomToolCallItem c => $"<|start|>assistant to={c.Name} call={c.CallId}\n{c.Input}<|end|>\n",
        CustomToolCallOutputItem co => $"<|start|>tool call={co.CallId}\n{ContentText(co.Output)}<|end|>\n",
        ReasoningItem r => $"<|start|>assistant reasoning\n{string.Join('\n', r.Summary.Select(s => s.TextValue))}{(r.Content is null ? "" : string.Join('\n', r.Content.Select(s => s.TextValue)))}{r.EncryptedContent}<|end|>\n",
        ItemReferenceItem i => $"<|ref|>{i.Id}\n",
        CompactionItem c => $"<|start|>compaction\n{c.Opened ?? c.EncryptedContent}<|end|>\n",
        CompactionTriggerItem => string.Empty,
        _ => $"<|start|>{item.Type}\n{ExtraText(item.Extra)}<|end|>\n",
    };

    private const string MessageOpen = "<|start|>";
    private const string MessageEnd = "<|end|>\n";

    /// <summary>A message's template text: its opening line (role), its content, its closing line.</summary>
    private static string MessageText(string role, string content) =>
        string.Create(MessageTextLength(role, content), (role, content), static (text, m) => WriteMessageText(text, m.role, m.content));

    private static int MessageTextLength(string role, string content) => MessageOpen.Length + role.Length + 1 + content.Length + MessageEnd.Length;

    private static void WriteMessageText(Span<char> text, string role, string content)
    {
        MessageOpen.CopyTo(text);
        int n = MessageOpen.Length;
        role.CopyTo(text[n..]);
        n += role.Length;
        text[n++] = '\n';
        content.CopyTo(text[n..]);
        MessageEnd.CopyTo(text[(n + content.Length)..]);
    }

    private static string ContentText(MessageContent c)
    {
        if (c.Text is not null)
        {
            return c.Text;
        }

        // Most content is one text part (every model answer): its text, without a builder.
        if (c.Parts is [{ Type: not ("input_image" or "input_file") } only])
        {
            return only.TextValue ?? string.Empty;
        }

        var sb = new StringBuilder();
        foreach (var p in c.Parts ?? [])
        {
            _ = p.Type switch
            {
                "input_image" => sb.Append("<|image|>"),
                "input_file" => sb.Append("<|file|>").Append(p.FileId),
                _ => sb.Append(p.TextValue),
            };
        }

        return sb.ToString();
    }

    private static string ExtraText(Dictionary<string, JsonElement>? extra) =>
        extra is null ? string.Empty : string.Join('\n', extra.Select(kv => kv.Key + "=" + kv.Value.GetRawText()));

    /// <summary>The longest run without white space that is tokenized in one piece.</summary>
    /// <remarks>
    /// BPE over one pre-token is quadratic in its length: a 1 MiB word costs minutes of CPU. Longer runs are cut into
    /// pieces of this size (the counts then differ from o200k's only inside such runs, e.g. base64 or minified code).
    /// </remarks>
    internal const int MaxRunLength = 512;

    private int[] Encode(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        if (text.Length > MaxRunLength && LongestRun(text) > MaxRunLength)
        {
            var pieces = new List<int>(text.Length / 3);
            int start = 0;
            int runStart = 0;
            for (int i = 0; i < text.Length; i++)
            {
                if (char.IsWhiteSpace(text[i]))
                {
                    runStart = i + 1;
                }
                else if (i + 1 - runStart >= MaxRunLength)
                {
                    pieces.AddRange(EncodeCore(text[start..(i + 1)]));
                    start = runStart = i + 1;
                }
            }

            pieces.AddRange(EncodeCore(text[start..]));
            return [.. pieces];
        }

        return EncodeCore(text);
    }

    /// <summary>
    /// The tokens of plain text, from a small memo of recent encodings when the same text was encoded just before: the
    /// simulated model counts its output's tokens, and the same text is rendered into the conversation when the turn ends.
    /// </summary>
    /// <remarks>Thread-safe: a slot holds an immutable entry and is replaced whole. The arrays returned are shared: never write to them.</remarks>
    internal int[] EncodeText(string text)
    {
        if (text.Length < RecentMinChars || text.Length > RecentMaxChars)
        {
            return Encode(text);
        }

        int slot = (int)((uint)string.GetHashCode(text.AsSpan()) % RecentSlots);
        var entry = Volatile.Read(ref _recent[slot]);
        if (entry is not null && (ReferenceEquals(entry.Text, text) || string.Equals(entry.Text, text, StringComparison.Ordinal)))
        {
            return entry.Tokens;
        }

        var tokens = Encode(text);
        Volatile.Write(ref _recent[slot], new Encoded(text, tokens));
        return tokens;
    }

    private int[] RoleHeader(string role)
    {
        var tokens = Encode($"<|start|>{role}\n");
        if (_roleHeaders.Count < 16)
        {
            // Roles are a handful of known words; a bound keeps odd ones from growing the map.
            _roleHeaders.TryAdd(role, tokens);
        }

        return tokens;
    }

    private static int[] TiktokenEncode(Tokenizer tokenizer, string text) => [.. tokenizer.EncodeToIds(text)];

    private sealed record Encoded(string Text, int[] Tokens);

    private static int LongestRun(string text)
    {
        int longest = 0;
        int run = 0;
        foreach (char c in text)
        {
            run = char.IsWhiteSpace(c) ? 0 : run + 1;
            longest = Math.Max(longest, run);
        }

        return longest;
    }

    private int[] EncodeCore(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        var ids = _tokenizer.EncodeToIds(text);
        var result = new int[ids.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = ids[i];
        }

        return result;
    }
}
