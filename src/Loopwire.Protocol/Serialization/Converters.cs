using System.Text.Json;
using System.Text.Json.Serialization;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;

namespace Loopwire.Protocol.Serialization;

/// <summary>Reads items through <see cref="ItemReader"/> and writes each concrete item type with its generated metadata.</summary>
public sealed class ResponseItemConverter : JsonConverter<ResponseItem>
{
    /// <inheritdoc />
    public override ResponseItem Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        return ItemReader.ReadItem(doc.RootElement);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, ResponseItem value, JsonSerializerOptions options)
    {
        var ctx = ProtocolJsonContext.Default;
        switch (value)
        {
            case MessageItem m: JsonSerializer.Serialize(writer, m, ctx.MessageItem); break;
            case FunctionCallItem f: JsonSerializer.Serialize(writer, f, ctx.FunctionCallItem); break;
            case FunctionCallOutputItem o: JsonSerializer.Serialize(writer, o, ctx.FunctionCallOutputItem); break;
            case CustomToolCallItem c: JsonSerializer.Serialize(writer, c, ctx.CustomToolCallItem); break;
            case CustomToolCallOutputItem co: JsonSerializer.Serialize(writer, co, ctx.CustomToolCallOutputItem); break;
            case ReasoningItem r: JsonSerializer.Serialize(writer, r, ctx.ReasoningItem); break;
            case ItemReferenceItem i: JsonSerializer.Serialize(writer, i, ctx.ItemReferenceItem); break;
            case OpaqueItem o: JsonSerializer.Serialize(writer, o, ctx.OpaqueItem); break;
            case CompactionItem c: JsonSerializer.Serialize(writer, c, ctx.CompactionItem); break;
            case CompactionTriggerItem t: JsonSerializer.Serialize(writer, t, ctx.CompactionTriggerItem); break;
            default: throw new NotSupportedException($"Unknown item type {value.GetType().Name}.");
        }
    }
}

/// <summary>Message content is a string or an array of parts on the wire.</summary>
public sealed class MessageContentConverter : JsonConverter<MessageContent>
{
    /// <inheritdoc />
    public override MessageContent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return MessageContent.FromText(reader.GetString()!);
        }

        using var doc = JsonDocument.ParseValue(ref reader);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new ProtocolException(ProtocolError.WrongType("content", "a string or an array of content parts"));
        }

        var parts = new List<ContentPart>();
        foreach (var p in doc.RootElement.EnumerateArray())
        {
            parts.Add(ItemReader.ReadPart(p));
        }

        return MessageContent.FromParts(parts);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, MessageContent value, JsonSerializerOptions options)
    {
        if (value.Text is not null)
        {
            writer.WriteStringValue(value.Text);
            return;
        }

        writer.WriteStartArray();
        foreach (var part in value.Parts ?? [])
        {
            JsonSerializer.Serialize(writer, part, ProtocolJsonContext.Default.ContentPart);
        }

        writer.WriteEndArray();
    }
}

/// <summary>The request's <c>input</c>: a string (one user message) or an array of items.</summary>
public sealed class InputConverter : JsonConverter<IReadOnlyList<ResponseItem>>
{
    /// <inheritdoc />
    public override IReadOnlyList<ResponseItem> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return [new MessageItem { Role = "user", Content = MessageContent.FromText(reader.GetString()!) }];
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new ProtocolException(ProtocolError.WrongType("input", "a string or an array of items"));
        }

        using var doc = JsonDocument.ParseValue(ref reader);
        try
        {
            return ItemReader.ReadItems(doc.RootElement);
        }
        catch (ProtocolException ex)
        {
            throw ex.WithPrefix("input");
        }
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, IReadOnlyList<ResponseItem> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        var conv = new ResponseItemConverter();
        foreach (var item in value)
        {
            conv.Write(writer, item, options);
        }

        writer.WriteEndArray();
    }
}
