using System.Text.Json;
using System.Text.Json.Serialization;

namespace Loopwire.Protocol.Items;

/// <summary>A conversation item: an input item of a request or an output item of a response.</summary>
/// <remarks>
/// Items are immutable. Unknown properties are kept in <see cref="Extra"/> and written back unchanged, so a
/// client that diffs what it sent against what it gets back (Codex does) sees its items faithfully.
/// </remarks>
public abstract record ResponseItem
{
    /// <summary>The item type discriminator, e.g. <c>message</c> or <c>function_call</c>.</summary>
    [JsonPropertyOrder(-10)]
    public abstract string Type { get; }

    /// <summary>The item id (<c>msg_…</c>, <c>fc_…</c>, <c>rs_…</c>); optional on input.</summary>
    [JsonPropertyOrder(-9)]
    public string? Id { get; init; }

    /// <summary>The item status: in_progress, completed or incomplete.</summary>
    public string? Status { get; init; }

    /// <summary>Properties this version does not know; written back as they came.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A message: user, system, developer or assistant.</summary>
public sealed record MessageItem : ResponseItem
{
    /// <inheritdoc />
    [JsonPropertyOrder(-10)]
    public override string Type => "message";

    /// <summary>The role: user, system, developer or assistant.</summary>
    public required string Role { get; init; }

    /// <summary>The content: a plain string or a list of parts.</summary>
    public required MessageContent Content { get; init; }
}

/// <summary>A function call the model made.</summary>
public sealed record FunctionCallItem : ResponseItem
{
    /// <inheritdoc />
    [JsonPropertyOrder(-10)]
    public override string Type => "function_call";

    /// <summary>The call id that the matching output refers to.</summary>
    public required string CallId { get; init; }

    /// <summary>The function name.</summary>
    public required string Name { get; init; }

    /// <summary>The arguments as a JSON string.</summary>
    public required string Arguments { get; init; }
}

/// <summary>The result of a function call, fed back by the client.</summary>
public sealed record FunctionCallOutputItem : ResponseItem
{
    /// <inheritdoc />
    [JsonPropertyOrder(-10)]
    public override string Type => "function_call_output";

    /// <summary>The call id of the <see cref="FunctionCallItem"/> this answers.</summary>
    public required string CallId { get; init; }

    /// <summary>The output: a string or a list of parts.</summary>
    public required MessageContent Output { get; init; }
}

/// <summary>A custom (free-form input) tool call.</summary>
public sealed record CustomToolCallItem : ResponseItem
{
    /// <inheritdoc />
    [JsonPropertyOrder(-10)]
    public override string Type => "custom_tool_call";

    /// <summary>The call id.</summary>
    public required string CallId { get; init; }

    /// <summary>The tool name.</summary>
    public required string Name { get; init; }

    /// <summary>The raw input text.</summary>
    public required string Input { get; init; }
}

/// <summary>The result of a custom tool call.</summary>
public sealed record CustomToolCallOutputItem : ResponseItem
{
    /// <inheritdoc />
    [JsonPropertyOrder(-10)]
    public override string Type => "custom_tool_call_output";

    /// <summary>The call id.</summary>
    public required string CallId { get; init; }

    /// <summary>The output.</summary>
    public required MessageContent Output { get; init; }
}

/// <summary>A reasoning item; its encrypted content is opaque and kept as it came.</summary>
public sealed record ReasoningItem : ResponseItem
{
    /// <inheritdoc />
    [JsonPropertyOrder(-10)]
    public override string Type => "reasoning";

    /// <summary>Summary parts (<c>summary_text</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IReadOnlyList<ContentPart> Summary { get; init; } = [];

    /// <summary>Opaque encrypted reasoning, round-tripped unchanged.</summary>
    public string? EncryptedContent { get; init; }

    /// <summary>Reasoning text parts (<c>reasoning_text</c>), when present.</summary>
    public IReadOnlyList<ContentPart>? Content { get; init; }
}

/// <summary>A reference to a stored item by id.</summary>
public sealed record ItemReferenceItem : ResponseItem
{
    /// <inheritdoc />
    [JsonPropertyOrder(-10)]
    public override string Type => "item_reference";
}

/// <summary>
/// An item of a known OpenAI type that Loopwire does not interpret (web_search_call, local_shell_call, compaction, ...).
/// It is kept verbatim, rendered as opaque text, and written back unchanged.
/// </summary>
public sealed record OpaqueItem : ResponseItem
{
    /// <summary>Creates an opaque item of the given type.</summary>
    public OpaqueItem(string type) => ItemType = type;

    /// <summary>The type name it came with.</summary>
    [JsonIgnore]
    public string ItemType { get; }

    /// <inheritdoc />
    [JsonPropertyOrder(-10)]
    public override string Type => ItemType;
}

/// <summary>Message content: either plain text or a list of parts.</summary>
public sealed record MessageContent
{
    /// <summary>The plain-text form, when the content was a string.</summary>
    public string? Text { get; init; }

    /// <summary>The parts form, when the content was an array.</summary>
    public IReadOnlyList<ContentPart>? Parts { get; init; }

    /// <summary>Creates string content.</summary>
    public static MessageContent FromText(string text) => new() { Text = text };

    /// <summary>Creates part-list content.</summary>
    public static MessageContent FromParts(IReadOnlyList<ContentPart> parts) => new() { Parts = parts };

    /// <summary>All text in the content, parts joined by newlines.</summary>
    public string JoinedText()
    {
        if (Text is not null)
        {
            return Text;
        }

        if (Parts is null || Parts.Count == 0)
        {
            return string.Empty;
        }

        if (Parts.Count == 1)
        {
            return Parts[0].TextValue ?? string.Empty;
        }

        return string.Join('\n', Parts.Select(p => p.TextValue).Where(t => t is not null));
    }
}

/// <summary>A content part: input_text, output_text, input_image, input_file, refusal, summary_text, reasoning_text.</summary>
public sealed record ContentPart
{
    /// <summary>The part type.</summary>
    [JsonPropertyOrder(-10)]
    public required string Type { get; init; }

    /// <summary>Text, for the text-bearing part types.</summary>
    public string? Text { get; init; }

    /// <summary>Refusal text, for <c>refusal</c> parts.</summary>
    public string? Refusal { get; init; }

    /// <summary>Image URL (https or data URL) for <c>input_image</c>.</summary>
    public string? ImageUrl { get; init; }

    /// <summary>File id for <c>input_image</c>/<c>input_file</c>.</summary>
    public string? FileId { get; init; }

    /// <summary>Image detail (low, high, auto).</summary>
    public string? Detail { get; init; }

    /// <summary>Annotations of an output_text part; always written for output_text.</summary>
    public IReadOnlyList<JsonElement>? Annotations { get; init; }

    /// <summary>Log probabilities of an output_text part.</summary>
    public IReadOnlyList<JsonElement>? Logprobs { get; init; }

    /// <summary>Properties this version does not know; written back as they came.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>The text this part carries, if any.</summary>
    [JsonIgnore]
    public string? TextValue => Text ?? Refusal;

    /// <summary>Creates an <c>input_text</c> part.</summary>
    public static ContentPart InputText(string text) => new() { Type = "input_text", Text = text };

    /// <summary>Creates an <c>output_text</c> part with empty annotations and logprobs.</summary>
    public static ContentPart OutputText(string text) => new() { Type = "output_text", Text = text, Annotations = [], Logprobs = [] };
}
