using System.Buffers;
using System.Text.Json;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;
using Microsoft.Extensions.AI;

namespace Loopwire.Client.Chat;

/// <summary>Maps between Microsoft.Extensions.AI chat types and Responses items and requests.</summary>
internal static class ChatMapping
{
    /// <summary>The request fields that come from <see cref="ChatOptions"/>.</summary>
    public static CreateResponseRequest ToRequest(ChatOptions? options, string? defaultModelId)
    {
        List<ToolDefinition>? tools = null;
        foreach (var tool in options?.Tools ?? [])
        {
            if (tool is AIFunctionDeclaration f)
            {
                (tools ??= []).Add(new ToolDefinition
                {
                    Type = "function",
                    Name = f.Name,
                    Description = string.IsNullOrEmpty(f.Description) ? null : f.Description,
                    Parameters = f.JsonSchema,
                });
            }
        }

        JsonElement? toolChoice = options?.ToolMode switch
        {
            NoneChatToolMode => Json(w => w.WriteStringValue("none")),
            RequiredChatToolMode { RequiredFunctionName: null } => Json(w => w.WriteStringValue("required")),
            RequiredChatToolMode r => Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "function");
                w.WriteString("name", r.RequiredFunctionName);
                w.WriteEndObject();
            }),
            _ => null,
        };

        return new CreateResponseRequest
        {
            Model = options?.ModelId ?? defaultModelId,
            Instructions = options?.Instructions is { } instructions ? Json(w => w.WriteStringValue(instructions)) : null,
            Tools = tools,
            ToolChoice = toolChoice,
            ParallelToolCalls = options?.AllowMultipleToolCalls,
            Temperature = options?.Temperature,
            TopP = options?.TopP,
            MaxOutputTokens = options?.MaxOutputTokens,
        };
    }

    /// <summary>Turns chat messages into input items. Contents that came from this client map back to the same item instances.</summary>
    public static List<ResponseItem> ToItems(IEnumerable<ChatMessage> messages)
    {
        var items = new List<ResponseItem>();
        foreach (var message in messages)
        {
            string role = message.Role == ChatRole.Assistant ? "assistant"
                : message.Role == ChatRole.System ? "system"
                : message.Role == ChatRole.Tool ? "tool"
                : message.Role.Value == "developer" ? "developer"
                : "user";
            List<ContentPart>? parts = null;
            ResponseItem? lastRaw = null;
            foreach (var content in message.Contents)
            {
                if (content.RawRepresentation is ResponseItem raw)
                {
                    Flush(items, role, ref parts);
                    if (!ReferenceEquals(raw, lastRaw))
                    {
                        items.Add(raw);
                        lastRaw = raw;
                    }

                    continue;
                }

                switch (content)
                {
                    case TextContent t:
                        (parts ??= []).Add(role == "assistant" ? ContentPart.OutputText(t.Text) : ContentPart.InputText(t.Text));
                        break;
                    case DataContent d when d.HasTopLevelMediaType("image"):
                        (parts ??= []).Add(new ContentPart { Type = "input_image", ImageUrl = d.Uri });
                        break;
                    case UriContent u when u.HasTopLevelMediaType("image"):
                        (parts ??= []).Add(new ContentPart { Type = "input_image", ImageUrl = u.Uri.ToString() });
                        break;
                    case FunctionCallContent call:
                        Flush(items, role, ref parts);
                        items.Add(new FunctionCallItem
                        {
                            CallId = call.CallId,
                            Name = call.Name,
                            Arguments = JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(),
                                AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>))),
                        });
                        break;
                    case FunctionResultContent result:
                        Flush(items, role, ref parts);
                        items.Add(new FunctionCallOutputItem { CallId = result.CallId, Output = MessageContent.FromText(ResultText(result.Result)) });
                        break;
                }
            }

            Flush(items, role, ref parts);
        }

        return items;
    }

    /// <summary>The assistant message for a response's output; each content keeps its item as <c>RawRepresentation</c>.</summary>
    public static ChatMessage ToMessage(ResponseObject response)
    {
        var contents = new List<AIContent>();
        foreach (var item in response.Output)
        {
            switch (item)
            {
                case MessageItem m:
                    var parts = m.Content.Parts ?? (m.Content.Text is { } text ? [ContentPart.OutputText(text)] : []);
                    if (parts.Count == 0)
                    {
                        contents.Add(new TextContent(string.Empty) { RawRepresentation = m });
                    }

                    foreach (var part in parts)
                    {
                        contents.Add(new TextContent(part.TextValue ?? string.Empty) { RawRepresentation = m });
                    }

                    break;
                case FunctionCallItem f:
                    contents.Add(ToCall(f));
                    break;
                case ReasoningItem r:
                    contents.Add(new TextReasoningContent(string.Join('\n', r.Summary.Select(s => s.TextValue))) { RawRepresentation = r });
                    break;
                default:
                    contents.Add(new AIContent { RawRepresentation = item });
                    break;
            }
        }

        return new ChatMessage(ChatRole.Assistant, contents)
        {
            MessageId = response.Output.FirstOrDefault()?.Id,
            CreatedAt = DateTimeOffset.FromUnixTimeSeconds(response.CreatedAt),
            RawRepresentation = response,
        };
    }

    public static FunctionCallContent ToCall(FunctionCallItem f)
    {
        var call = FunctionCallContent.CreateFromParsedArguments(f.Arguments, f.CallId, f.Name,
            static json => (IDictionary<string, object?>?)JsonSerializer.Deserialize(json,
                AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>))));
        call.RawRepresentation = f;
        return call;
    }

    public static ChatFinishReason? FinishReason(ResponseObject response) => response.Status switch
    {
        ResponseStatus.Incomplete when response.IncompleteDetails?.Reason == "content_filter" => ChatFinishReason.ContentFilter,
        ResponseStatus.Incomplete => ChatFinishReason.Length,
        ResponseStatus.Completed when response.Output.Any(i => i is FunctionCallItem) => ChatFinishReason.ToolCalls,
        ResponseStatus.Completed => ChatFinishReason.Stop,
        _ => null,
    };

    public static UsageDetails? ToUsage(Usage? usage) => usage is null ? null : new UsageDetails
    {
        InputTokenCount = usage.InputTokens,
        OutputTokenCount = usage.OutputTokens,
        TotalTokenCount = usage.TotalTokens,
        CachedInputTokenCount = usage.InputTokensDetails.CachedTokens,
        ReasoningTokenCount = usage.OutputTokensDetails.ReasoningTokens,
    };

    private static void Flush(List<ResponseItem> items, string role, ref List<ContentPart>? parts)
    {
        if (parts is null)
        {
            return;
        }

        items.Add(new MessageItem { Role = role == "tool" ? "user" : role, Content = MessageContent.FromParts(parts) });
        parts = null;
    }

    private static string ResultText(object? result) => result switch
    {
        null => string.Empty,
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() ?? string.Empty,
        JsonElement e => e.GetRawText(),
        _ => JsonSerializer.Serialize(result, AIJsonUtilities.DefaultOptions.GetTypeInfo(result.GetType())),
    };

    private static JsonElement Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        return doc.RootElement.Clone();
    }
}
