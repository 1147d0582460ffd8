using System.Text;
using System.Text.Json;
using Loopwire.Engine.Backends;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;

namespace Loopwire.Simulation;

/// <summary>What the simulated model decided to say.</summary>
/// <param name="Reasoning">Reasoning summary text, or null.</param>
/// <param name="Text">The text answer, or null when it only calls tools.</param>
/// <param name="Calls">Function calls (name, JSON arguments) in order.</param>
public sealed record SimulatedPlan(string? Reasoning, string? Text, IReadOnlyList<SimulatedCall> Calls);

/// <summary>A planned tool call: a function call with JSON arguments, or a custom tool call with free-form input.</summary>
/// <param name="Name">The tool name.</param>
/// <param name="Arguments">The JSON arguments, or the raw input of a custom tool.</param>
/// <param name="Custom">Whether the tool is a custom (free-form) tool.</param>
public sealed record SimulatedCall(string Name, string Arguments, bool Custom = false);

/// <summary>
/// Decides what the simulated model says. A policy must be a deterministic function of the conversation and the
/// seed (a hash of the full rendered context), so a delta request and the equivalent full replay agree.
/// </summary>
/// <remarks>The agent scenarios' oracle is a policy; it returns null for conversations it does not recognise.</remarks>
public interface ISimulatedPolicy
{
    /// <summary>Plans the output, or returns null to let the next policy decide.</summary>
    SimulatedPlan? Plan(ModelRequest request, ulong seed);
}

/// <summary>
/// The generic behaviour: when function tools are offered and the latest user message names one, call it with
/// arguments built from its JSON schema; after tool outputs, answer in text; otherwise a text answer of realistic length.
/// </summary>
public sealed class GenericPolicy : ISimulatedPolicy
{
    private static readonly string[] Words =
    [
        "the", "model", "answer", "context", "response", "request", "token", "stream", "server", "client", "agent",
        "loop", "tool", "call", "result", "history", "delta", "socket", "cache", "prefix", "latency", "time", "fast",
        "state", "items", "turn", "task", "file", "test", "edit", "read", "search", "code", "function", "value", "data",
        "is", "are", "we", "can", "will", "should", "this", "that", "with", "from", "into", "over", "for", "and", "but",
        "so", "then", "when", "each", "every", "only", "new", "same", "first", "next", "last", "because", "here",
    ];

    [ThreadStatic]
    private static StringBuilder? t_text;

    /// <inheritdoc />
    public SimulatedPlan? Plan(ModelRequest request, ulong seed)
    {
        var items = request.Conversation.Items;
        var rng = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        // tool_choice is obeyed exactly: none never calls; a forced tool is the one called; allowed_tools narrows the set;
        // required calls even when no tool is named (the first allowed one) and even right after a tool output.
        ToolChoice.TryParse(request.Request.ToolChoice, request.Request.Tools, out var choice);
        var tools = CallableTools(request.Request).Where(choice.Allows).ToList();
        var last = items.Count > 0 ? items[^1] : null;
        bool afterOutput = last is FunctionCallOutputItem or CustomToolCallOutputItem;

        if (tools.Count > 0 && (choice.Mode == "required" || !afterOutput))
        {
            // Only a user message that is the latest item names tools; a forced or required call reads the latest user words.
            string userText = last is MessageItem { Role: "user" } m ? m.Content.JoinedText() : string.Empty;
            var named = choice.Forced is { } forced
                ? tools.Where(forced.Matches).Take(1).ToList()
                : afterOutput ? [] : tools.Where(t => userText.Contains(t.Name!, StringComparison.OrdinalIgnoreCase)).ToList();
            if (named.Count == 0 && choice.Mode == "required")
            {
                named.Add(tools[0]);
            }

            if (named.Count > 0)
            {
                if (request.Request.ParallelToolCalls == false)
                {
                    named = [named[0]];
                }

                var calls = named.Select(t => t.Type == "custom"
                    ? new SimulatedCall(t.Name!, CustomInputFor(t, userText.Length > 0 ? userText : LastUserText(items)), Custom: true)
                    : new SimulatedCall(t.Name!, ArgumentsFor(t, userText, rng))).ToList();
                return new SimulatedPlan(null, null, calls);
            }
        }

        // One builder per thread, kept between plans (the text is ~500 characters; a new builder grows in chunks each time).
        var sb = t_text ??= new StringBuilder(1024);
        sb.Clear();
        if (last is FunctionCallOutputItem fo)
        {
            string output = fo.Output.JoinedText();
            // Never cut a surrogate pair in half: the lone half would reach the client as U+FFFD.
            int cut = output.Length > 80 && char.IsHighSurrogate(output[79]) ? 79 : 80;
            sb.Append("The tool returned: ").Append(output.Length > 80 ? output[..cut] + "…" : output).Append(". ");
        }

        if (last is MessageItem { Role: "user" } steer && items.Count >= 2
            && items[^2] is MessageItem { Role: "assistant", Status: ResponseStatus.Incomplete })
        {
            // The successor of a steered (cut short) answer: it takes up the new direction first.
            string said = steer.Content.JoinedText();
            int cut = said.Length > 80 && char.IsHighSurrogate(said[79]) ? 79 : 80;
            sb.Append("Changing course as asked: ").Append(said.Length > 80 ? said[..cut] + "…" : said).Append(". ");
        }

        int words = 30 + rng.Next(90);
        for (int i = 0; i < words; i++)
        {
            string w = Words[rng.Next(Words.Length)];
            bool start = i == 0 || sb.Length > 0 && sb[^1] == ' ' && sb.Length > 1 && sb[^2] == '.';
            if (i > 0)
            {
                sb.Append(' ');
            }

            sb.Append(start ? char.ToUpperInvariant(w[0]) + w[1..] : w);
            if (rng.Next(12) == 0 || i == words - 1)
            {
                sb.Append('.');
            }
        }

        string text = sb.ToString();
        if (sb.Capacity > 16 * 1024)
        {
            t_text = null;
        }

        return new SimulatedPlan(null, text, []);
    }

    internal static List<ToolDefinition> FunctionTools(CreateResponseRequest r) =>
        r.Tools?.Where(t => t.Type == "function" && !string.IsNullOrEmpty(t.Name)).ToList() ?? [];

    /// <summary>Function and custom tools with a name: the tools the simulated model can call.</summary>
    internal static List<ToolDefinition> CallableTools(CreateResponseRequest r) =>
        r.Tools?.Where(t => t.Type is "function" or "custom" && !string.IsNullOrEmpty(t.Name)).ToList() ?? [];

    /// <summary>The free-form input of a custom tool call: the user's words after the tool's name (or all of them), trimmed.</summary>
    internal static string CustomInputFor(ToolDefinition tool, string userText)
    {
        int at = userText.IndexOf(tool.Name!, StringComparison.OrdinalIgnoreCase);
        string input = (at >= 0 ? userText[(at + tool.Name!.Length)..] : userText).Trim(' ', ':', '\n', '\t');
        if (input.Length > 400)
        {
            input = input[..(char.IsHighSurrogate(input[399]) ? 399 : 400)];
        }

        return input.Length == 0 ? tool.Name! : input;
    }

    private static string LastUserText(IReadOnlyList<ResponseItem> items)
    {
        for (int i = items.Count - 1; i >= 0; i--)
        {
            if (items[i] is MessageItem { Role: "user" } m)
            {
                return m.Content.JoinedText();
            }
        }

        return string.Empty;
    }

    /// <summary>Builds arguments that satisfy the tool's JSON schema.</summary>
    internal static string ArgumentsFor(ToolDefinition tool, string userText, Random rng)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            if (tool.Parameters is { ValueKind: JsonValueKind.Object } schema)
            {
                WriteValue(w, schema, userText, rng, 0);
            }
            else
            {
                w.WriteStartObject();
                w.WriteEndObject();
            }
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteValue(Utf8JsonWriter w, JsonElement schema, string hint, Random rng, int depth)
    {
        if (schema.TryGetProperty("enum", out var en) && en.ValueKind == JsonValueKind.Array && en.GetArrayLength() > 0)
        {
            en[0].WriteTo(w);
            return;
        }

        string type = schema.TryGetProperty("type", out var t)
            ? t.ValueKind == JsonValueKind.Array ? t[0].GetString() ?? "string" : t.GetString() ?? "string"
            : schema.TryGetProperty("properties", out _) ? "object" : "string";
        switch (type)
        {
            case "object":
                w.WriteStartObject();
                if (depth < 4 && schema.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
                {
                    foreach (var p in props.EnumerateObject())
                    {
                        w.WritePropertyName(p.Name);
                        WriteValue(w, p.Value, p.Name, rng, depth + 1);
                    }
                }

                w.WriteEndObject();
                break;
            case "array":
                w.WriteStartArray();
                if (depth < 4 && schema.TryGetProperty("items", out var itemSchema) && itemSchema.ValueKind == JsonValueKind.Object)
                {
                    WriteValue(w, itemSchema, hint, rng, depth + 1);
                }

                w.WriteEndArray();
                break;
            case "integer": w.WriteNumberValue(1 + rng.Next(9)); break;
            case "number": w.WriteNumberValue(1); break; // whole, so clients that read it as an integer accept it too
            case "boolean": w.WriteBooleanValue(true); break;
            case "null": w.WriteNullValue(); break;
            default: w.WriteStringValue(hint.Length > 40 ? hint[..40] : hint); break;
        }
    }
}
