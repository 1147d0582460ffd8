using System.Buffers;
using System.Text.Json;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;

namespace Loopwire.Engine.Backends.ChatCompletions;

/// <summary>
/// The other direction: a Chat Completions request (Loopwire's own <c>/v1/chat/completions</c>) read as a Responses
/// request, so the same engine and backends serve it. Nothing is stored (<c>store: false</c>).
/// </summary>
internal static class ChatRequestReader
{
    /// <summary>Parses and translates; a <see cref="ProtocolError"/> (400) for anything invalid.</summary>
    public static (ChatCompletionRequest? Chat, CreateResponseRequest? Request, ProtocolError? Error) Read(ReadOnlySpan<byte> body)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return (null, null, ProtocolError.Invalid("The request body is not valid UTF-8.", null, ErrorCodes.InvalidJson));
        }

        ChatCompletionRequest? chat;
        try
        {
            chat = JsonSerializer.Deserialize(body, ChatJsonContext.Default.ChatCompletionRequest);
        }
        catch (JsonException ex)
        {
            return (null, null, ProtocolError.Invalid("The body is not a valid chat completion request: " + ex.Message, null, ErrorCodes.InvalidJson));
        }

        if (chat is null)
        {
            return (null, null, ProtocolError.WrongType("", "an object"));
        }

        if (string.IsNullOrEmpty(chat.Model))
        {
            return (chat, null, ProtocolError.Missing("model"));
        }

        if (chat.Messages is not { Count: > 0 } messages)
        {
            return (chat, null, ProtocolError.Missing("messages"));
        }

        var items = new List<ResponseItem>(messages.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            switch (m.Role)
            {
                case "system" or "developer":
                    items.Add(new MessageItem { Role = m.Role, Content = MessageContent.FromText(m.Content?.JoinedText() ?? string.Empty) });
                    break;
                case "user":
                    items.Add(new MessageItem { Role = "user", Content = UserContent(m.Content) });
                    break;
                case "assistant":
                    if (m.Content?.JoinedText() is { Length: > 0 } text)
                    {
                        items.Add(new MessageItem { Role = "assistant", Content = MessageContent.FromParts([ContentPart.OutputText(text)]) });
                    }

                    foreach (var call in m.ToolCalls ?? [])
                    {
                        if (string.IsNullOrEmpty(call.Id) || string.IsNullOrEmpty(call.Function?.Name))
                        {
                            return (chat, null, ProtocolError.Missing($"messages[{i}].tool_calls.function.name"));
                        }

                        items.Add(new FunctionCallItem { CallId = call.Id, Name = call.Function.Name, Arguments = call.Function.Arguments ?? "{}" });
                    }

                    break;
                case "tool":
                    if (string.IsNullOrEmpty(m.ToolCallId))
                    {
                        return (chat, null, ProtocolError.Missing($"messages[{i}].tool_call_id"));
                    }

                    items.Add(new FunctionCallOutputItem { CallId = m.ToolCallId, Output = MessageContent.FromText(m.Content?.JoinedText() ?? string.Empty) });
                    break;
                default:
                    return (chat, null, ProtocolError.Invalid(
                        $"Invalid value for 'messages[{i}].role': '{m.Role}'. Supported values are: 'system', 'developer', 'user', 'assistant' and 'tool'.",
                        $"messages[{i}].role"));
            }
        }

        var tools = chat.Tools?.Where(t => t.Function is not null)
            .Select(t => new ToolDefinition
            {
                Type = "function",
                Name = t.Function!.Name,
                Description = t.Function.Description,
                Parameters = t.Function.Parameters,
                Strict = t.Function.Strict,
            })
            .ToList();
        var request = new CreateResponseRequest
        {
            Model = chat.Model,
            Input = items,
            Tools = tools is { Count: > 0 } ? tools : null,
            ToolChoice = ToolChoice(chat.ToolChoice),
            ParallelToolCalls = chat.ParallelToolCalls,
            MaxOutputTokens = chat.MaxCompletionTokens ?? chat.MaxTokens,
            Temperature = chat.Temperature,
            TopP = chat.TopP,
            Text = TextFormat(chat.ResponseFormat),
            User = chat.User,
            Store = false,
        };
        return (chat, request, null);
    }

    private static MessageContent UserContent(ChatContent? content)
    {
        if (content?.Parts is not { } parts)
        {
            return MessageContent.FromText(content?.Text ?? string.Empty);
        }

        return MessageContent.FromParts(parts
            .Select(p => p.Type == "image_url" && p.ImageUrl is { } img
                ? new ContentPart { Type = "input_image", ImageUrl = img.Url, Detail = img.Detail ?? "auto" }
                : ContentPart.InputText(p.Text ?? string.Empty))
            .ToList());
    }

    /// <summary><c>{"type":"function","function":{"name":N}}</c> becomes the Responses form <c>{"type":"function","name":N}</c>.</summary>
    private static JsonElement? ToolChoice(JsonElement? choice)
    {
        if (choice is not { ValueKind: JsonValueKind.Object } c)
        {
            return choice is { ValueKind: JsonValueKind.String } ? choice : null;
        }

        if (c.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object && f.TryGetProperty("name", out var name)
            && name.ValueKind == JsonValueKind.String)
        {
            return Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "function");
                w.WriteString("name", name.GetString());
                w.WriteEndObject();
            });
        }

        return null;
    }

    /// <summary><c>response_format</c> becomes <c>text.format</c>: json_schema's inner object is flattened into the format.</summary>
    private static JsonElement? TextFormat(JsonElement? responseFormat)
    {
        if (responseFormat is not { ValueKind: JsonValueKind.Object } rf || !rf.TryGetProperty("type", out var type) || type.ValueEquals("text"))
        {
            return null;
        }

        return Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("format");
            w.WriteString("type", type.GetString());
            if (type.ValueEquals("json_schema") && rf.TryGetProperty("json_schema", out var js) && js.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in js.EnumerateObject())
                {
                    p.WriteTo(w);
                }
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static JsonElement Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }

        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        return doc.RootElement.Clone();
    }
}
