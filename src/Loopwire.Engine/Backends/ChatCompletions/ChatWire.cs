using System.Text.Json;
using System.Text.Json.Serialization;

namespace Loopwire.Engine.Backends.ChatCompletions;

// The OpenAI Chat Completions wire format, as far as Loopwire speaks it: what the chat backend sends upstream and
// reads back, and what Loopwire's own /v1/chat/completions endpoint reads and writes. Unknown fields are ignored.

/// <summary>The body of <c>POST /v1/chat/completions</c>.</summary>
internal sealed record ChatCompletionRequest
{
    public string? Model { get; init; }

    public List<ChatMessage>? Messages { get; init; }

    public bool? Stream { get; init; }

    public ChatStreamOptions? StreamOptions { get; init; }

    public List<ChatTool>? Tools { get; init; }

    public JsonElement? ToolChoice { get; init; }

    public bool? ParallelToolCalls { get; init; }

    public int? MaxTokens { get; init; }

    public int? MaxCompletionTokens { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public JsonElement? ResponseFormat { get; init; }

    public string? User { get; init; }

    /// <summary><c>reasoning.effort</c> of the Responses request (OpenAI chat, vLLM and others accept it).</summary>
    public string? ReasoningEffort { get; init; }
}

internal sealed record ChatStreamOptions(bool IncludeUsage);

/// <summary>A chat message: system, developer, user, assistant or tool.</summary>
internal sealed record ChatMessage
{
    public required string Role { get; init; }

    /// <summary>A string or an array of parts; null for an assistant message that only calls tools.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    [JsonConverter(typeof(ChatContentConverter))]
    public ChatContent? Content { get; init; }

    public string? Name { get; init; }

    public List<ChatToolCall>? ToolCalls { get; init; }

    public string? ToolCallId { get; init; }

    /// <summary>Reasoning text (llama.cpp, vLLM, DeepSeek); only read and written by Loopwire's own endpoint.</summary>
    public string? ReasoningContent { get; init; }
}

/// <summary>Message content: plain text or parts.</summary>
internal sealed record ChatContent(string? Text, IReadOnlyList<ChatContentPart>? Parts)
{
    public string JoinedText() => Text ?? string.Join('\n', (Parts ?? []).Select(p => p.Text).Where(t => t is not null));
}

internal sealed record ChatContentPart
{
    public required string Type { get; init; }

    public string? Text { get; init; }

    public ChatImageUrl? ImageUrl { get; init; }
}

internal sealed record ChatImageUrl(string Url, string? Detail = null);

internal sealed record ChatTool
{
    public string Type { get; init; } = "function";

    public ChatFunctionDefinition? Function { get; init; }
}

internal sealed record ChatFunctionDefinition
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    public JsonElement? Parameters { get; init; }

    public bool? Strict { get; init; }
}

/// <summary>A tool call: whole in a request, a fragment (with <see cref="Index"/>) in a streamed delta.</summary>
internal sealed record ChatToolCall
{
    public int? Index { get; init; }

    public string? Id { get; init; }

    public string? Type { get; init; }

    public ChatFunctionCall? Function { get; init; }
}

internal sealed record ChatFunctionCall
{
    public string? Name { get; init; }

    /// <summary>JSON arguments as a string (some servers send an object; it is read as its raw text).</summary>
    [JsonConverter(typeof(LenientStringConverter))]
    public string? Arguments { get; init; }
}

/// <summary>One streamed chunk (<c>chat.completion.chunk</c>), or a mid-stream error object.</summary>
internal sealed record ChatCompletionChunk
{
    public string? Id { get; init; }

    public string? Object { get; init; }

    public long Created { get; init; }

    public string? Model { get; init; }

    public List<ChatChunkChoice>? Choices { get; init; }

    public ChatUsage? Usage { get; init; }

    /// <summary>A mid-stream error (<c>{"error":{...}}</c> or <c>{"error":"..."}</c>); absent on normal chunks.</summary>
    public JsonElement? Error { get; init; }

    /// <summary>vLLM's flat error form carries its message at the top level with <c>object: "error"</c>.</summary>
    public string? Message { get; init; }
}

internal sealed record ChatChunkChoice
{
    public int Index { get; init; }

    public ChatDelta? Delta { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? FinishReason { get; init; }
}

internal sealed record ChatDelta
{
    public string? Role { get; init; }

    public string? Content { get; init; }

    public string? ReasoningContent { get; init; }

    /// <summary>Ollama's and some gateways' name for <see cref="ReasoningContent"/>.</summary>
    public string? Reasoning { get; init; }

    public List<ChatToolCall>? ToolCalls { get; init; }
}

internal sealed record ChatUsage
{
    public int PromptTokens { get; init; }

    public int CompletionTokens { get; init; }

    public int TotalTokens { get; init; }

    public ChatPromptTokensDetails? PromptTokensDetails { get; init; }

    public ChatCompletionTokensDetails? CompletionTokensDetails { get; init; }
}

internal sealed record ChatPromptTokensDetails(int CachedTokens);

internal sealed record ChatCompletionTokensDetails(int ReasoningTokens);

/// <summary>The non-streaming answer (<c>chat.completion</c>).</summary>
internal sealed record ChatCompletion
{
    public required string Id { get; init; }

    public string Object { get; init; } = "chat.completion";

    public long Created { get; init; }

    public required string Model { get; init; }

    public required List<ChatCompletionChoice> Choices { get; init; }

    public ChatUsage? Usage { get; init; }
}

internal sealed record ChatCompletionChoice
{
    public int Index { get; init; }

    public required ChatMessage Message { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? FinishReason { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public JsonElement? Logprobs { get; init; }
}

/// <summary>Content is a string or an array of parts on the wire.</summary>
internal sealed class ChatContentConverter : JsonConverter<ChatContent?>
{
    public override bool HandleNull => true;

    public override ChatContent? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return new ChatContent(reader.GetString(), null);
            case JsonTokenType.StartArray:
                var parts = new List<ChatContentPart>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    parts.Add(JsonSerializer.Deserialize(ref reader, ChatJsonContext.Default.ChatContentPart)
                        ?? throw new JsonException("A content part is null."));
                }

                return new ChatContent(null, parts);
            default:
                throw new JsonException("'content' must be a string, an array of content parts or null.");
        }
    }

    public override void Write(Utf8JsonWriter writer, ChatContent? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else if (value.Text is not null)
        {
            writer.WriteStringValue(value.Text);
        }
        else
        {
            writer.WriteStartArray();
            foreach (var part in value.Parts ?? [])
            {
                JsonSerializer.Serialize(writer, part, ChatJsonContext.Default.ChatContentPart);
            }

            writer.WriteEndArray();
        }
    }
}

/// <summary>Reads a string, or any other JSON value as its raw text; writes a string.</summary>
internal sealed class LenientStringConverter : JsonConverter<string?>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        using var doc = JsonDocument.ParseValue(ref reader);
        return doc.RootElement.GetRawText();
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}

/// <summary>Source-generated metadata for the Chat Completions wire types.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(ChatCompletion))]
[JsonSerializable(typeof(ChatContentPart))]
internal sealed partial class ChatJsonContext : JsonSerializerContext;
