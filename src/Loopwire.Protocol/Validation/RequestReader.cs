using System.Text.Json;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;

namespace Loopwire.Protocol.Validation;

/// <summary>Parses and validates a <see cref="CreateResponseRequest"/> from UTF-8 JSON.</summary>
/// <remarks>
/// Parsing never throws for bad input: every failure comes back as a <see cref="ProtocolError"/> whose
/// <c>param</c> names the offending path (<c>input[3].call_id</c>). Checks that need the conversation
/// (call ids, <c>previous_response_id</c>) happen in the engine.
/// </remarks>
public static class RequestReader
{
    private static readonly string[] Truncations = ["auto", "disabled"];

    /// <summary>Parses <paramref name="utf8Json"/>.</summary>
    /// <param name="utf8Json">The body.</param>
    /// <param name="request">The request, when valid.</param>
    /// <returns>Null when valid, else the error.</returns>
    public static ProtocolError? TryParse(ReadOnlySpan<byte> utf8Json, out CreateResponseRequest? request)
    {
        var error = TryDeserialize(utf8Json, out request) ?? Validate(request!);
        if (error is not null)
        {
            request = null;
        }

        return error;
    }

    /// <summary>
    /// Parses <paramref name="utf8Json"/> as <see cref="TryParse(ReadOnlySpan{byte}, out CreateResponseRequest?)"/> does, taking the
    /// input items whose exact bytes <paramref name="items"/> has seen from it instead of reading them again.
    /// </summary>
    /// <param name="utf8Json">The body.</param>
    /// <param name="items">Items parsed before (the caller's tenant); null reads every item.</param>
    /// <param name="request">The request, when valid.</param>
    /// <returns>Null when valid, else the error: the same request or error as without <paramref name="items"/>.</returns>
    public static ProtocolError? TryParse(ReadOnlySpan<byte> utf8Json, IItemParseCache? items, out CreateResponseRequest? request)
    {
        if (items is not null && TryParseCached(utf8Json, items, out request, out _))
        {
            return null;
        }

        return TryParse(utf8Json, out request);
    }

    /// <summary>
    /// The fast path of <see cref="TryParse(ReadOnlySpan{byte}, IItemParseCache?, out CreateResponseRequest?)"/>, which also reads a
    /// top-level <c>stream_id</c> (WebSocket mode's lane) in the same pass. It answers only when it is sure: false means "read it
    /// the ordinary way" (which gives the exact error, if any), not that the request is invalid.
    /// </summary>
    /// <param name="utf8Json">The body or message.</param>
    /// <param name="items">Items parsed before (the caller's tenant).</param>
    /// <param name="request">The valid request, when true.</param>
    /// <param name="streamId">The top-level <c>stream_id</c> when it is a plain string (not yet checked); null when absent.</param>
    /// <returns>True when the request parsed and is valid.</returns>
    public static bool TryParseCached(ReadOnlySpan<byte> utf8Json, IItemParseCache items, out CreateResponseRequest? request, out string? streamId)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (!FastRequestReader.TryParse(utf8Json, items, out request, out streamId) || Validate(request!) is not null)
        {
            request = null;
            streamId = null;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Parses <paramref name="utf8Json"/> without <see cref="Validate"/>, for endpoints that fill in defaults first
    /// (<c>/responses/compact</c>, <c>/responses/input_tokens</c>).
    /// </summary>
    /// <param name="utf8Json">The body.</param>
    /// <param name="request">The request, when it parsed.</param>
    /// <returns>Null when it parsed, else the error.</returns>
    public static ProtocolError? TryDeserialize(ReadOnlySpan<byte> utf8Json, out CreateResponseRequest? request)
    {
        request = null;
        if (utf8Json.IsEmpty)
        {
            return ProtocolError.Invalid("The request body is empty; expected a JSON object.", null, ErrorCodes.InvalidJson);
        }

        try
        {
            request = JsonSerializer.Deserialize(utf8Json, ProtocolJsonContext.Default.CreateResponseRequest);
        }
        catch (ProtocolException ex)
        {
            return ex.Error;
        }
        catch (JsonException ex)
        {
            return FromJsonException(ex);
        }
        catch (InvalidOperationException ex)
        {
            return ProtocolError.Invalid($"Invalid JSON: {ex.Message}", null, ErrorCodes.InvalidJson);
        }

        // The serializer reports invalid UTF-8 in the strings it reads (with the field), but accepts it inside values it
        // keeps as JsonElement (tool schemas, text.format), which fail only when read as text much later: refuse those here.
        if (!System.Text.Unicode.Utf8.IsValid(utf8Json))
        {
            return ProtocolError.Invalid("The request body is not valid UTF-8.", null, ErrorCodes.InvalidJson);
        }

        if (request is null)
        {
            return ProtocolError.Invalid("The request body must be a JSON object, not null.", null, ErrorCodes.InvalidJson);
        }

        return null;
    }

    /// <summary>Maps a serializer exception to an error naming the JSON position or the parameter.</summary>
    public static ProtocolError FromJsonException(JsonException ex)
    {
        string? param = ParamFromPath(ex.Path);
        string where = ex.LineNumber is long line && ex.BytePositionInLine is long col
            ? $" at line {line + 1}, position {col + 1}"
            : string.Empty;

        // The serializer reports bad UTF-8 in a string as a failed conversion of that property; it is a syntax error.
        if (ex.InnerException?.InnerException is System.Text.DecoderFallbackException)
        {
            string inParam = param is null ? string.Empty : $" in '{param}'";
            return ProtocolError.Invalid($"We could not parse the JSON body of your request{where}: invalid UTF-8{inParam}.", param, ErrorCodes.InvalidJson);
        }

        bool syntax = ex.InnerException is not null || ex.Message.Contains("invalid", StringComparison.OrdinalIgnoreCase) && param is null;
        if (ex.Message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return param is not null
                ? ProtocolError.WrongType(param, ExpectedType(param))
                : new ProtocolError(400, ErrorTypes.InvalidRequest, ErrorCodes.InvalidType, "The request body must be a JSON object.", null);
        }

        return new ProtocolError(400, ErrorTypes.InvalidRequest, syntax ? ErrorCodes.InvalidJson : ErrorCodes.InvalidValue,
            $"We could not parse the JSON body of your request{where}: {FirstSentence(ex.Message)}", param);
    }

    private static string ExpectedType(string param)
    {
        var property = ProtocolJsonContext.Default.CreateResponseRequest.Properties
            .FirstOrDefault(p => p.Name == param.Split('.', '[')[0]);
        var type = property?.PropertyType;
        if (type is null || param.Contains('.') || param.Contains('['))
        {
            return "a value of the documented type";
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(bool) ? "a boolean"
            : type == typeof(int) || type == typeof(long) ? "an integer"
            : type == typeof(double) ? "a number"
            : type == typeof(string) ? "a string"
            : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) ? "an object of string values"
            : typeof(System.Collections.IEnumerable).IsAssignableFrom(type) ? "an array"
            : "an object";
    }

    private static string FirstSentence(string message)
    {
        foreach (var marker in (ReadOnlySpan<string>)[" Path:", " LineNumber:"])
        {
            int i = message.IndexOf(marker, StringComparison.Ordinal);
            if (i > 0)
            {
                message = message[..i];
            }
        }

        return message.TrimEnd();
    }

    private static string? ParamFromPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    /// <summary>Checks the request's own fields.</summary>
    public static ProtocolError? Validate(CreateResponseRequest r)
    {
        if (string.IsNullOrWhiteSpace(r.Model))
        {
            return ProtocolError.Missing("model");
        }

        if (r.Input is null && r.PreviousResponseId is null && r.Generate != false && r.Type is null)
        {
            return ProtocolError.Missing("input");
        }

        if (r.Instructions is { } ins && ins.ValueKind is not (JsonValueKind.String or JsonValueKind.Null or JsonValueKind.Array))
        {
            return ProtocolError.WrongType("instructions", "a string or an array of items");
        }

        if (r.Temperature is < 0 or > 2)
        {
            return ProtocolError.Invalid($"Invalid 'temperature': {r.Temperature}. Expected a value between 0 and 2.", "temperature");
        }

        if (r.TopP is < 0 or > 1)
        {
            return ProtocolError.Invalid($"Invalid 'top_p': {r.TopP}. Expected a value between 0 and 1.", "top_p");
        }

        if (r.MaxOutputTokens is < 1)
        {
            return ProtocolError.Invalid($"Invalid 'max_output_tokens': {r.MaxOutputTokens}. Expected a value >= 1.", "max_output_tokens");
        }

        if (r.Truncation is { } t && Array.IndexOf(Truncations, t) < 0)
        {
            return ProtocolError.Invalid($"Invalid value for 'truncation': '{t}'. Supported values are: 'auto' and 'disabled'.", "truncation");
        }

        if (r.Metadata is { } md)
        {
            if (md.Count > 16)
            {
                return ProtocolError.Invalid($"Invalid 'metadata': at most 16 pairs are allowed, got {md.Count}.", "metadata");
            }

            foreach (var (k, v) in md)
            {
                if (k.Length > 64 || (v?.Length ?? 0) > 512)
                {
                    return ProtocolError.Invalid($"Invalid 'metadata.{k}': keys are at most 64 and values at most 512 characters.", $"metadata.{k}");
                }
            }
        }

        if (r.Tools is { } tools)
        {
            for (int i = 0; i < tools.Count; i++)
            {
                var tool = tools[i];
                if (tool is null)
                {
                    return ProtocolError.WrongType($"tools[{i}]", "an object");
                }

                if (string.IsNullOrEmpty(tool.Type))
                {
                    return ProtocolError.Missing($"tools[{i}].type");
                }

                if (tool.Type is "function" or "custom" && string.IsNullOrEmpty(tool.Name))
                {
                    return ProtocolError.Missing($"tools[{i}].name");
                }

                if (tool.Type == "function" && tool.Parameters is { } p && p.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
                {
                    return ProtocolError.WrongType($"tools[{i}].parameters", "a JSON schema object");
                }
            }
        }

        if (Conversations.ConversationRequestReader.TryReadConversationParameter(r.Conversation, out var conversation) is { } convError)
        {
            return convError;
        }

        if (r.PreviousResponseId is not null && conversation is not null)
        {
            return ProtocolError.Invalid("'previous_response_id' and 'conversation' cannot be used together.", "conversation",
                ErrorCodes.MutuallyExclusiveParameters);
        }

        if (ToolChoice.TryParse(r.ToolChoice, r.Tools, out _) is { } choiceError)
        {
            return choiceError;
        }

        if (CompactionValidation.Validate(r) is { } compactionError)
        {
            return compactionError;
        }

        if (r.Input is { } input)
        {
            for (int i = 0; i < input.Count; i++)
            {
                if (input[i] is MessageItem { Role: "assistant" } m && m.Content.Parts is { } parts && HasImage(parts))
                {
                    return ProtocolError.Invalid($"Invalid value for 'input[{i}].content': assistant messages cannot contain 'input_image' parts.", $"input[{i}].content");
                }
            }
        }

        return null;
    }

    private static bool HasImage(IReadOnlyList<ContentPart> parts)
    {
        for (int i = 0; i < parts.Count; i++)
        {
            if (parts[i].Type == "input_image")
            {
                return true;
            }
        }

        return false;
    }
}
