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
        ToolChoice.TryParse(r.ToolChoice, r.Tools, out var choice);
        var tools = Tools(r.Tools, choice);
        return new ChatCompletionRequest
        {
            Model = request.Model,
            Messages = Messages(r.Instructions, request.Conversation.Items),
            Stream = true,
            StreamOptions = new ChatStreamOptions(true),
            Tools = tools,
            ToolChoice = tools is null ? null : ChatToolChoice(choice),
            ParallelToolCalls = tools is null ? null : r.ParallelToolCalls,
            MaxTokens = options.MaxTokensParameter == "max_completion_tokens" ? null : r.MaxOutputTokens,
            MaxCompletionTokens = options.MaxTokensParameter == "max_completion_tokens" ? r.MaxOutputTokens : null,
            Temperature = r.Temperature,
            TopP = r.TopP,
            ResponseFormat = ResponseFormat(r.Text),
            User = r.User,
            ReasoningEffort = options.SendReasoningEffort ? r.Reasoning?.Effort : null,
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
                    // As the model saw the tool: a function with one string argument.
                    assistant = AddCall(messages, assistant, c.CallId, c.Name, CustomArguments(c.Input));
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

    /// <summary>The names of the custom tools a request declares (they travel as functions and come back as custom tool calls).</summary>
    public static IReadOnlySet<string> CustomToolNames(CreateResponseRequest r) =>
        r.Tools?.Where(t => t.Type == "custom" && !string.IsNullOrEmpty(t.Name)).Select(t => t.Name!).ToHashSet(StringComparer.Ordinal)
        ?? [];

    /// <summary>
    /// Function tools as they are and custom tools as functions of one string argument; with <c>allowed_tools</c> only the
    /// allowed ones, since chat has no way to offer a tool the model must not call.
    /// </summary>
    private static List<ChatTool>? Tools(IReadOnlyList<ToolDefinition>? tools, ToolChoice choice)
    {
        var list = tools?.Where(t => t.Type is "function" or "custom" && !string.IsNullOrEmpty(t.Name))
            .Where(t => choice.Allowed is null || choice.Forced is not null || choice.Allows(t))
            .Select(t => new ChatTool
            {
                Function = t.Type == "custom"
                    ? new ChatFunctionDefinition { Name = t.Name!, Description = t.Description, Parameters = CustomParameters }
                    : new ChatFunctionDefinition { Name = t.Name!, Description = t.Description, Parameters = t.Parameters, Strict = t.Strict },
            })
            .ToList();
        return list is { Count: > 0 } ? list : null;
    }

    private static readonly JsonElement CustomParameters = Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "object");
        w.WriteStartObject("properties");
        w.WriteStartObject(CustomToolCallMapper.ArgumentName);
        w.WriteString("type", "string");
        w.WriteString("description", "The tool's whole input, as free-form text.");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("required");
        w.WriteStringValue(CustomToolCallMapper.ArgumentName);
        w.WriteEndArray();
        w.WriteBoolean("additionalProperties", false);
        w.WriteEndObject();
    });

    private static string CustomArguments(string input)
    {
        var buffer = new ArrayBufferWriter<byte>(input.Length + 16);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString(CustomToolCallMapper.ArgumentName, input);
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// <c>none</c>/<c>auto</c>/<c>required</c> as they are; a forced function or custom tool gets chat's nested form;
    /// <c>allowed_tools</c> becomes its mode (the tools are narrowed instead).
    /// </summary>
    private static JsonElement ChatToolChoice(ToolChoice choice)
    {
        if (choice.Forced is { Type: "function" or "custom", Name: { } name })
        {
            return Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", name);
                w.WriteEndObject();
                w.WriteEndObject();
            });
        }

        string mode = choice.Mode;
        return Write(w => w.WriteStringValue(mode));
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
