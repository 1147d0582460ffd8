using System.Buffers;
using System.Text.Json;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;

namespace Loopwire.Engine.Backends.ChatCompletions;

/// <summary>Translates a Responses conversation and request options into a Chat Completions request.</summary>
/// <remarks>
/// Items map to messages: instructions become the first system message; <c>developer</c> becomes <c>system</c> (llama.cpp
/// and Ollama templates know no developer role); an assistant message and the function calls right after it become one
/// assistant message with <c>tool_calls</c>; an output becomes a <c>tool</c> message. Reasoning and items chat has no
/// form for are dropped: chat servers keep no reasoning state. Custom tool calls travel as function calls whose arguments
/// are their raw input.
/// </remarks>
internal static class ChatRequestTranslator
{
    public static ChatCompletionRequest Build(ModelRequest request, UpstreamBackendOptions options)
    {
        var r = request.Request;
        var tools = Tools(r.Tools);
        return new ChatCompletionRequest
        {
            Model = request.Model,
            Messages = Messages(r.Instructions, request.Conversation.Items),
            Stream = true,
            StreamOptions = new ChatStreamOptions(true),
            Tools = tools,
            ToolChoice = tools is null ? null : ToolChoice(r.ToolChoice),
            ParallelToolCalls = tools is null ? null : r.ParallelToolCalls,
            MaxTokens = options.MaxTokensParameter == "max_completion_tokens" ? null : r.MaxOutputTokens,
            MaxCompletionTokens = options.MaxTokensParameter == "max_completion_tokens" ? r.MaxOutputTokens : null,
            Temperature = r.Temperature,
            TopP = r.TopP,
            ResponseFormat = ResponseFormat(r.Text),
            User = r.User,
        };
    }

    public static List<ChatMessage> Messages(JsonElement? instructions, IReadOnlyList<ResponseItem> items)
    {
        var messages = new List<ChatMessage>(items.Count + 1);
        switch (instructions)
        {
            case { ValueKind: JsonValueKind.String } s when s.GetString() is { Length: > 0 } text:
                messages.Add(new ChatMessage { Role = "system", Content = new ChatContent(text, null) });
                break;
            case { ValueKind: JsonValueKind.Array } array:
                Append(messages, ItemReader.ReadItems(array));
                break;
        }

        Append(messages, items);
        return messages;
    }

    private static void Append(List<ChatMessage> messages, IReadOnlyList<ResponseItem> items)
    {
        // The assistant message that following function calls join, while nothing else came in between.
        ChatMessage? assistant = null;
        foreach (var item in items)
        {
            switch (item)
            {
                case MessageItem m when m.Role == "assistant":
                    assistant = new ChatMessage { Role = "assistant", Content = new ChatContent(m.Content.JoinedText(), null) };
                    messages.Add(assistant);
                    break;
                case MessageItem m:
                    messages.Add(new ChatMessage { Role = m.Role == "developer" ? "system" : m.Role, Content = Content(m.Content) });
                    assistant = null;
                    break;
                case FunctionCallItem f:
                    assistant = AddCall(messages, assistant, f.CallId, f.Name, f.Arguments);
                    break;
                case CustomToolCallItem c:
                    assistant = AddCall(messages, assistant, c.CallId, c.Name, c.Input);
                    break;
                case FunctionCallOutputItem o:
                    messages.Add(new ChatMessage { Role = "tool", ToolCallId = o.CallId, Content = new ChatContent(o.Output.JoinedText(), null) });
                    assistant = null;
                    break;
                case CustomToolCallOutputItem o:
                    messages.Add(new ChatMessage { Role = "tool", ToolCallId = o.CallId, Content = new ChatContent(o.Output.JoinedText(), null) });
                    assistant = null;
                    break;
                case Protocol.Items.CompactionItem { Opened: { } compacted }:
                    messages.Add(new ChatMessage { Role = "user", Content = new ChatContent(Compaction.CompactionForUpstream.Preface + compacted, null) });
                    assistant = null;
                    break;
            }
        }
    }

    private static ChatMessage AddCall(List<ChatMessage> messages, ChatMessage? assistant, string callId, string name, string arguments)
    {
        var call = new ChatToolCall { Id = callId, Type = "function", Function = new ChatFunctionCall { Name = name, Arguments = arguments } };
        if (assistant is null)
        {
            assistant = new ChatMessage { Role = "assistant", Content = null, ToolCalls = [call] };
            messages.Add(assistant);
            return assistant;
        }

        if (assistant.ToolCalls is null)
        {
            var merged = assistant with { ToolCalls = [call] };
            messages[messages.LastIndexOf(assistant)] = merged;
            return merged;
        }

        assistant.ToolCalls.Add(call);
        return assistant;
    }

    /// <summary>Plain text stays a string (every server takes it); images make it an array of parts.</summary>
    private static ChatContent Content(MessageContent content)
    {
        if (content.Text is not null || content.Parts is null || content.Parts.All(p => p.Type != "input_image"))
        {
            return new ChatContent(content.JoinedText(), null);
        }

        var parts = new List<ChatContentPart>(content.Parts.Count);
        foreach (var p in content.Parts)
        {
            if (p.Type == "input_image" && p.ImageUrl is not null)
            {
                parts.Add(new ChatContentPart { Type = "image_url", ImageUrl = new ChatImageUrl(p.ImageUrl, p.Detail) });
            }
            else if (p.TextValue is { } text)
            {
                parts.Add(new ChatContentPart { Type = "text", Text = text });
            }
        }

        return new ChatContent(null, parts);
    }

    private static List<ChatTool>? Tools(IReadOnlyList<ToolDefinition>? tools)
    {
        var list = tools?.Where(t => t.Type == "function" && !string.IsNullOrEmpty(t.Name))
            .Select(t => new ChatTool
            {
                Function = new ChatFunctionDefinition { Name = t.Name!, Description = t.Description, Parameters = t.Parameters, Strict = t.Strict },
            })
            .ToList();
        return list is { Count: > 0 } ? list : null;
    }

    /// <summary><c>auto</c>/<c>none</c>/<c>required</c> as they are; <c>{"type":"function","name":N}</c> gets chat's nested form.</summary>
    private static JsonElement? ToolChoice(JsonElement? choice)
    {
        if (choice is not { } c)
        {
            return null;
        }

        if (c.ValueKind == JsonValueKind.String)
        {
            return c;
        }

        if (c.ValueKind == JsonValueKind.Object && c.TryGetProperty("type", out var type) && type.ValueEquals("function")
            && c.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
        {
            return Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", name.GetString());
                w.WriteEndObject();
                w.WriteEndObject();
            });
        }

        return null;
    }

    /// <summary><c>text.format</c> json_schema / json_object become <c>response_format</c>; plain text needs none.</summary>
    private static JsonElement? ResponseFormat(JsonElement? text)
    {
        if (text is not { ValueKind: JsonValueKind.Object } t || !t.TryGetProperty("format", out var format)
            || format.ValueKind != JsonValueKind.Object || !format.TryGetProperty("type", out var type))
        {
            return null;
        }

        if (type.ValueEquals("json_object"))
        {
            return Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "json_object");
                w.WriteEndObject();
            });
        }

        if (!type.ValueEquals("json_schema"))
        {
            return null;
        }

        return Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "json_schema");
            w.WriteStartObject("json_schema");
            foreach (var p in format.EnumerateObject())
            {
                if (!p.NameEquals("type"))
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
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }

        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        return doc.RootElement.Clone();
    }
}
