using System.Text.Json;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Validation;

namespace Loopwire.Protocol.Conversations;

/// <summary>Parses and validates the bodies of the Conversations API; errors name the offending path (<c>items[2].role</c>).</summary>
public static class ConversationRequestReader
{
    /// <summary>The most items one create or add call accepts.</summary>
    public const int MaxItemsPerCall = 20;

    /// <summary>The most metadata pairs.</summary>
    public const int MaxMetadataPairs = 16;

    /// <summary>Parses the body of <c>POST /v1/conversations</c>; an empty body is an empty conversation.</summary>
    /// <returns>Null when valid, else the error.</returns>
    public static ProtocolError? TryParseCreate(ReadOnlySpan<byte> utf8Json, out CreateConversationRequest? request)
    {
        request = null;
        if (utf8Json.IsEmpty)
        {
            request = new CreateConversationRequest([], new Dictionary<string, string>());
            return null;
        }

        return Parse(utf8Json, root =>
        {
            var items = root.TryGetProperty("items", out var i) && i.ValueKind != JsonValueKind.Null ? ReadItems(i, allowEmpty: true) : [];
            var metadata = root.TryGetProperty("metadata", out var m) ? ReadMetadata(m) : new Dictionary<string, string>();
            return new CreateConversationRequest(items, metadata);
        }, out request);
    }

    /// <summary>Parses the body of <c>POST /v1/conversations/{id}</c>; <c>metadata</c> is required and may be null.</summary>
    /// <returns>Null when valid, else the error.</returns>
    public static ProtocolError? TryParseUpdate(ReadOnlySpan<byte> utf8Json, out UpdateConversationRequest? request)
    {
        request = null;
        if (utf8Json.IsEmpty)
        {
            return ProtocolError.Missing("metadata");
        }

        return Parse(utf8Json, root => root.TryGetProperty("metadata", out var m)
            ? new UpdateConversationRequest(ReadMetadata(m))
            : throw new ProtocolException(ProtocolError.Missing("metadata")), out request);
    }

    /// <summary>Parses the body of <c>POST /v1/conversations/{id}/items</c>.</summary>
    /// <returns>Null when valid, else the error.</returns>
    public static ProtocolError? TryParseAddItems(ReadOnlySpan<byte> utf8Json, out AddConversationItemsRequest? request)
    {
        request = null;
        if (utf8Json.IsEmpty)
        {
            return ProtocolError.Missing("items");
        }

        return Parse(utf8Json, root => root.TryGetProperty("items", out var i) && i.ValueKind != JsonValueKind.Null
            ? new AddConversationItemsRequest(ReadItems(i, allowEmpty: false))
            : throw new ProtocolException(ProtocolError.Missing("items")), out request);
    }

    /// <summary>
    /// Reads the <c>conversation</c> parameter of a create: <c>"conv_…"</c> or <c>{"id":"conv_…"}</c>.
    /// </summary>
    /// <param name="value">The parameter; null or JSON null when absent.</param>
    /// <param name="id">The conversation id, when present and valid.</param>
    /// <returns>Null when absent or valid, else the error.</returns>
    public static ProtocolError? TryReadConversationParameter(JsonElement? value, out string? id)
    {
        id = null;
        switch (value)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return null;
            case { ValueKind: JsonValueKind.String } s when !string.IsNullOrEmpty(s.GetString()):
                id = s.GetString();
                return null;
            case { ValueKind: JsonValueKind.Object } o when o.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String
                && !string.IsNullOrEmpty(i.GetString()):
                id = i.GetString();
                return null;
            default:
                return ProtocolError.WrongType("conversation", "a conversation id string or an object with a string 'id'");
        }
    }

    private static ProtocolError? Parse<T>(ReadOnlySpan<byte> utf8Json, Func<JsonElement, T> read, out T? result)
        where T : class
    {
        result = null;
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new ProtocolError(400, ErrorTypes.InvalidRequest, ErrorCodes.InvalidType, "The request body must be a JSON object.", null);
            }

            result = read(doc.RootElement);
            return null;
        }
        catch (ProtocolException ex)
        {
            return ex.Error;
        }
        catch (JsonException ex)
        {
            return RequestReader.FromJsonException(ex);
        }
    }

    private static List<ResponseItem> ReadItems(JsonElement array, bool allowEmpty)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new ProtocolException(ProtocolError.WrongType("items", "an array of items"));
        }

        int count = array.GetArrayLength();
        if (count > MaxItemsPerCall || (count == 0 && !allowEmpty))
        {
            throw new ProtocolException(ProtocolError.Invalid(
                $"Invalid 'items': expected between {(allowEmpty ? 0 : 1)} and {MaxItemsPerCall} items, got {count}.", "items"));
        }

        try
        {
            return ItemReader.ReadItems(array);
        }
        catch (ProtocolException ex)
        {
            throw ex.WithPrefix("items");
        }
    }

    private static Dictionary<string, string> ReadMetadata(JsonElement m)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (m.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        if (m.ValueKind != JsonValueKind.Object)
        {
            throw new ProtocolException(ProtocolError.WrongType("metadata", "an object of string values"));
        }

        foreach (var p in m.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
            {
                throw new ProtocolException(ProtocolError.WrongType($"metadata.{p.Name}", "a string"));
            }

            string v = p.Value.GetString()!;
            if (p.Name.Length > 64 || v.Length > 512)
            {
                throw new ProtocolException(ProtocolError.Invalid(
                    $"Invalid 'metadata.{p.Name}': keys are at most 64 and values at most 512 characters.", $"metadata.{p.Name}"));
            }

            result[p.Name] = v;
        }

        if (result.Count > MaxMetadataPairs)
        {
            throw new ProtocolException(ProtocolError.Invalid(
                $"Invalid 'metadata': at most {MaxMetadataPairs} pairs are allowed, got {result.Count}.", "metadata"));
        }

        return result;
    }
}
