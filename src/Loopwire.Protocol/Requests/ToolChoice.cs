using System.Text.Json;
using Loopwire.Protocol.Errors;

namespace Loopwire.Protocol.Requests;

/// <summary>A tool named by <c>tool_choice</c>: a function or custom tool by name, an MCP server by label, or a hosted tool by type.</summary>
/// <param name="Type">The tool type: function, custom, mcp, file_search, ...</param>
/// <param name="Name">The function or custom tool name (or the MCP tool name).</param>
/// <param name="ServerLabel">The MCP server label.</param>
public sealed record ToolReference(string Type, string? Name = null, string? ServerLabel = null)
{
    /// <summary>Whether <paramref name="tool"/> is the tool this reference names.</summary>
    public bool Matches(ToolDefinition tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        return Type switch
        {
            "function" or "custom" => tool.Type == Type && tool.Name == Name,
            "mcp" => tool.Type == "mcp" && ServerLabelOf(tool) == ServerLabel,
            _ => tool.Type == Type,
        };
    }

    private static string? ServerLabelOf(ToolDefinition tool) =>
        tool.Extra is { } extra && extra.TryGetValue("server_label", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null;
}

/// <summary>
/// The meaning of <c>tool_choice</c>: whether the model must, may or must not call a tool, and which tools it may call.
/// </summary>
/// <remarks>
/// <c>"none"</c>, <c>"auto"</c> and <c>"required"</c> allow every tool; <c>{type:"function"|"custom", name}</c> (and the
/// hosted and MCP forms) is <c>required</c> with exactly that tool allowed; <c>{type:"allowed_tools", mode, tools}</c>
/// is <c>mode</c> with that subset.
/// </remarks>
public sealed record ToolChoice
{
    /// <summary>The default: the model decides, every tool allowed.</summary>
    public static ToolChoice Auto { get; } = new() { Mode = "auto" };

    /// <summary><c>none</c>, <c>auto</c> or <c>required</c>.</summary>
    public required string Mode { get; init; }

    /// <summary>The tools the model may call; null when every declared tool is allowed.</summary>
    public IReadOnlyList<ToolReference>? Allowed { get; init; }

    /// <summary>The single tool the model must call (<c>{type:"function", name}</c> and alike), or null.</summary>
    public ToolReference? Forced { get; init; }

    /// <summary>Whether the model may call <paramref name="tool"/> under this choice.</summary>
    public bool Allows(ToolDefinition tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        return Mode != "none" && (Allowed is null || Allowed.Any(a => a.Matches(tool)));
    }

    /// <summary>Reads <c>tool_choice</c> and checks every tool it names against <paramref name="tools"/>.</summary>
    /// <param name="value">The parameter; null or JSON null mean <c>auto</c>.</param>
    /// <param name="tools">The request's tools.</param>
    /// <param name="choice">The choice, when valid.</param>
    /// <returns>Null when valid, else the error (<c>param: "tool_choice"</c>).</returns>
    public static ProtocolError? TryParse(JsonElement? value, IReadOnlyList<ToolDefinition>? tools, out ToolChoice choice)
    {
        choice = Auto;
        tools ??= [];
        switch (value)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return null;
            case { ValueKind: JsonValueKind.String } s:
                string mode = s.GetString()!;
                if (mode is not ("none" or "auto" or "required"))
                {
                    return ProtocolError.Invalid(
                        $"Invalid value for 'tool_choice': '{mode}'. Supported values are: 'none', 'auto' and 'required', or an object.", "tool_choice");
                }

                choice = new ToolChoice { Mode = mode };
                return null;
            case { ValueKind: JsonValueKind.Object } o:
                return TryParseObject(o, tools, out choice);
            default:
                return ProtocolError.WrongType("tool_choice", "a string ('none', 'auto', 'required') or an object");
        }
    }

    private static ProtocolError? TryParseObject(JsonElement o, IReadOnlyList<ToolDefinition> tools, out ToolChoice choice)
    {
        choice = Auto;
        string? type = Str(o, "type");
        if (type is null)
        {
            return ProtocolError.Missing("tool_choice.type");
        }

        if (type != "allowed_tools")
        {
            var (reference, error) = ReadReference(o, type, "tool_choice", tools);
            if (error is not null)
            {
                return error;
            }

            choice = new ToolChoice { Mode = "required", Allowed = [reference!], Forced = reference };
            return null;
        }

        string mode = Str(o, "mode") ?? "auto";
        if (mode is not ("auto" or "required"))
        {
            return ProtocolError.Invalid($"Invalid value for 'tool_choice.mode': '{mode}'. Supported values are: 'auto' and 'required'.", "tool_choice.mode");
        }

        if (!o.TryGetProperty("tools", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return list.ValueKind == JsonValueKind.Undefined ? ProtocolError.Missing("tool_choice.tools") : ProtocolError.WrongType("tool_choice.tools", "an array");
        }

        var allowed = new List<ToolReference>();
        int i = 0;
        foreach (var t in list.EnumerateArray())
        {
            string param = $"tool_choice.tools[{i++}]";
            if (t.ValueKind != JsonValueKind.Object)
            {
                return ProtocolError.WrongType(param, "an object");
            }

            if (Str(t, "type") is not { } tType)
            {
                return ProtocolError.Missing(param + ".type");
            }

            var (reference, error) = ReadReference(t, tType, param, tools);
            if (error is not null)
            {
                return error;
            }

            allowed.Add(reference!);
        }

        choice = new ToolChoice { Mode = mode, Allowed = allowed };
        return null;
    }

    private static (ToolReference? Reference, ProtocolError? Error) ReadReference(JsonElement o, string type, string param,
        IReadOnlyList<ToolDefinition> tools)
    {
        ToolReference reference;
        if (type is "function" or "custom")
        {
            if (Str(o, "name") is not { Length: > 0 } name)
            {
                return (null, ProtocolError.Missing(param + ".name"));
            }

            reference = new ToolReference(type, name);
        }
        else if (type == "mcp")
        {
            if (Str(o, "server_label") is not { Length: > 0 } label)
            {
                return (null, ProtocolError.Missing(param + ".server_label"));
            }

            reference = new ToolReference(type, Str(o, "name"), label);
        }
        else
        {
            reference = new ToolReference(type);
        }

        if (!tools.Any(reference.Matches))
        {
            string named = reference.Name ?? reference.ServerLabel ?? reference.Type;
            return (null, new ProtocolError(400, ErrorTypes.InvalidRequest, ErrorCodes.ToolChoiceNotFound,
                $"Tool choice '{named}' not found in 'tools' parameter.", "tool_choice"));
        }

        return (reference, null);
    }

    private static string? Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
