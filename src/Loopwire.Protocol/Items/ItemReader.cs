using System.Text.Json;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Serialization;
using static Loopwire.Protocol.Serialization.JsonRead;

namespace Loopwire.Protocol.Items;

/// <summary>Reads items and content parts from JSON with errors that name the offending path.</summary>
/// <remarks>
/// Items are a union whose discriminator may be missing (<c>{"role":"user","content":"hi"}</c> is a message),
/// so they are read from a <see cref="JsonElement"/> rather than by the source generator's polymorphism.
/// Errors carry a <c>param</c> relative to the item (<c>call_id</c>); callers prefix it (<c>input[3].call_id</c>).
/// </remarks>
public static class ItemReader
{
    private static readonly string[] OpaqueTypes =
    [
        "web_search_call", "file_search_call", "computer_call", "computer_call_output", "local_shell_call",
        "local_shell_call_output", "shell_call", "shell_call_output", "apply_patch_call", "apply_patch_call_output",
        "image_generation_call", "code_interpreter_call", "mcp_call", "mcp_list_tools", "mcp_approval_request",
        "mcp_approval_response", "tool_search_call", "tool_search_output",

        // Newer item types (programmatic tool calling): kept, echoed and rendered as they came.
        "program", "program_output", "additional_tools",
    ];

    private static readonly string[] MessageKnown = ["type", "id", "status", "role", "content"];
    private static readonly string[] FunctionCallKnown = ["type", "id", "status", "call_id", "name", "arguments"];
    private static readonly string[] OutputKnown = ["type", "id", "status", "call_id", "output"];
    private static readonly string[] CustomCallKnown = ["type", "id", "status", "call_id", "name", "input"];
    private static readonly string[] ReasoningKnown = ["type", "id", "status", "summary", "encrypted_content", "content"];
    private static readonly string[] RefKnown = ["type", "id"];
    private static readonly string[] OpaqueKnown = ["type", "id", "status"];
    private static readonly string[] CompactionKnown = ["type", "id", "status", "encrypted_content", "created_by"];
    private static readonly string[] PartKnown = ["type", "text", "refusal", "image_url", "file_id", "detail", "annotations", "logprobs"];
    private static readonly string[] Roles = ["user", "assistant", "system", "developer"];

    /// <summary>Reads one item.</summary>
    /// <exception cref="ProtocolException">The item is invalid; <c>param</c> is relative to the item.</exception>
    public static ResponseItem ReadItem(JsonElement e)
    {
        RequireObject(e, "");
        string? type = OptString(e, "type");
        if (type is null)
        {
            // Both unions of the SDKs let the discriminator go: a message has a role, an item_reference only an id.
            type = e.TryGetProperty("role", out _) ? "message"
                : e.TryGetProperty("id", out _) ? "item_reference"
                : throw new ProtocolException(ProtocolError.Missing("type"));
        }

        return type switch
        {
            "message" => ReadMessage(e),
            "function_call" => new FunctionCallItem
            {
                Id = OptString(e, "id"),
                Status = OptString(e, "status"),
                CallId = ReqString(e, "call_id"),
                Name = ReqString(e, "name"),
                Arguments = ReadArguments(e),
                Extra = Extras(e, FunctionCallKnown),
            },
            "function_call_output" => new FunctionCallOutputItem
            {
                Id = OptString(e, "id"),
                Status = OptString(e, "status"),
                CallId = ReqString(e, "call_id"),
                Output = ReadContent(e, "output"),
                Extra = Extras(e, OutputKnown),
            },
            "custom_tool_call" => new CustomToolCallItem
            {
                Id = OptString(e, "id"),
                Status = OptString(e, "status"),
                CallId = ReqString(e, "call_id"),
                Name = ReqString(e, "name"),
                Input = OptString(e, "input") ?? string.Empty,
                Extra = Extras(e, CustomCallKnown),
            },
            "custom_tool_call_output" => new CustomToolCallOutputItem
            {
                Id = OptString(e, "id"),
                Status = OptString(e, "status"),
                CallId = ReqString(e, "call_id"),
                Output = ReadContent(e, "output"),
                Extra = Extras(e, OutputKnown),
            },
            "reasoning" => new ReasoningItem
            {
                Id = OptString(e, "id"),
                Status = OptString(e, "status"),
                Summary = ReadParts(e, "summary") ?? [],
                EncryptedContent = OptString(e, "encrypted_content"),
                Content = ReadParts(e, "content"),
                Extra = Extras(e, ReasoningKnown),
            },
            "compaction" => new CompactionItem
            {
                Id = OptString(e, "id"),
                Status = OptString(e, "status"),
                EncryptedContent = ReqString(e, "encrypted_content"),
                CreatedBy = OptString(e, "created_by"),
                Extra = Extras(e, CompactionKnown),
            },
            "compaction_trigger" => new CompactionTriggerItem { Id = OptString(e, "id"), Extra = Extras(e, RefKnown) },
            "item_reference" => new ItemReferenceItem { Id = ReqString(e, "id"), Extra = Extras(e, RefKnown) },
            _ when Array.IndexOf(OpaqueTypes, type) >= 0 => new OpaqueItem(type)
            {
                Id = OptString(e, "id"),
                Status = OptString(e, "status"),
                Extra = Extras(e, OpaqueKnown),
            },
            _ => throw new ProtocolException(ProtocolError.Invalid($"Invalid value for 'type': unknown item type '{type}'.", "type")),
        };
    }

    /// <summary>Reads a list of items; errors are prefixed <c>[i]</c>.</summary>
    public static List<ResponseItem> ReadItems(JsonElement array)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new ProtocolException(ProtocolError.WrongType("", "an array"));
        }

        var list = new List<ResponseItem>(array.GetArrayLength());
        int i = 0;
        foreach (var e in array.EnumerateArray())
        {
            try
            {
                list.Add(ReadItem(e));
            }
            catch (ProtocolException ex)
            {
                throw ex.WithPrefix($"[{i}]");
            }

            i++;
        }

        return list;
    }

    private static string ReadArguments(JsonElement e)
    {
        if (!e.TryGetProperty("arguments", out var a) || a.ValueKind == JsonValueKind.Null)
        {
            throw new ProtocolException(ProtocolError.Missing("arguments"));
        }

        // Some clients send arguments as an object instead of a JSON string; accept it as its raw text.
        return a.ValueKind == JsonValueKind.String ? a.GetString()! : a.GetRawText();
    }

    private static MessageItem ReadMessage(JsonElement e)
    {
        string role = ReqString(e, "role");
        if (Array.IndexOf(Roles, role) < 0)
        {
            throw new ProtocolException(ProtocolError.Invalid(
                $"Invalid value for 'role': '{role}'. Supported values are: 'user', 'assistant', 'system' and 'developer'.", "role"));
        }

        return new MessageItem
        {
            Id = OptString(e, "id"),
            Status = OptString(e, "status"),
            Role = role,
            Content = ReadContent(e, "content"),
            Extra = Extras(e, MessageKnown),
        };
    }

    private static MessageContent ReadContent(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var c) || c.ValueKind == JsonValueKind.Null)
        {
            throw new ProtocolException(ProtocolError.Missing(name));
        }

        return c.ValueKind switch
        {
            JsonValueKind.String => MessageContent.FromText(c.GetString()!),
            JsonValueKind.Array => MessageContent.FromParts(ReadPartArray(c, name)),
            _ => throw new ProtocolException(ProtocolError.WrongType(name, "a string or an array of content parts")),
        };
    }

    private static List<ContentPart>? ReadParts(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var c) || c.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (c.ValueKind != JsonValueKind.Array)
        {
            throw new ProtocolException(ProtocolError.WrongType(name, "an array"));
        }

        return ReadPartArray(c, name);
    }

    private static List<ContentPart> ReadPartArray(JsonElement array, string name)
    {
        var parts = new List<ContentPart>(array.GetArrayLength());
        int i = 0;
        foreach (var p in array.EnumerateArray())
        {
            try
            {
                parts.Add(ReadPart(p));
            }
            catch (ProtocolException ex)
            {
                throw ex.WithPrefix($"{name}[{i}]");
            }

            i++;
        }

        return parts;
    }

    /// <summary>Reads one content part.</summary>
    public static ContentPart ReadPart(JsonElement p)
    {
        RequireObject(p, "");
        string type = ReqString(p, "type");
        var part = new ContentPart
        {
            Type = type,
            Text = OptString(p, "text"),
            Refusal = OptString(p, "refusal"),
            ImageUrl = OptString(p, "image_url"),
            FileId = OptString(p, "file_id"),
            Detail = OptString(p, "detail"),
            Annotations = OptElements(p, "annotations"),
            Logprobs = OptElements(p, "logprobs"),
            Extra = Extras(p, PartKnown),
        };
        switch (type)
        {
            case "input_text" or "output_text" or "summary_text" or "reasoning_text" when part.Text is null:
                throw new ProtocolException(ProtocolError.Missing("text"));
            case "refusal" when part.Refusal is null:
                throw new ProtocolException(ProtocolError.Missing("refusal"));
            case "input_image" when part.ImageUrl is null && part.FileId is null:
                throw new ProtocolException(ProtocolError.Missing("image_url"));
            case "input_text" or "output_text" or "summary_text" or "reasoning_text" or "refusal" or "input_image" or "input_file":
                return part;
            default:
                throw new ProtocolException(ProtocolError.Invalid($"Invalid value for 'type': unknown content part type '{type}'.", "type"));
        }
    }

    private static List<JsonElement>? OptElements(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            throw new ProtocolException(ProtocolError.WrongType(name, "an array"));
        }

        return v.EnumerateArray().Select(x => x.Clone()).ToList();
    }
}
