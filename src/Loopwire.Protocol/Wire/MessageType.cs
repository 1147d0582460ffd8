using System.Text.Json;

namespace Loopwire.Protocol.Wire;

/// <summary>How the top-level <c>type</c> of a message was found.</summary>
public enum MessageTypeStatus
{
    /// <summary>A string <c>type</c> is present.</summary>
    Found,

    /// <summary>The message is an object without a <c>type</c>.</summary>
    Missing,

    /// <summary>The message is valid JSON but not an object.</summary>
    NotAnObject,

    /// <summary>The <c>type</c> is present but not a string.</summary>
    NotAString,
}

/// <summary>The top-level <c>type</c> of a JSON message, read without deserializing it.</summary>
/// <param name="Status">Whether the type was found.</param>
/// <param name="Type">The type when <see cref="Status"/> is <see cref="MessageTypeStatus.Found"/>; otherwise null.</param>
/// <param name="HasErrorObject">Whether a top-level <c>error</c> object is present (only looked for when asked).</param>
public readonly record struct MessageType(MessageTypeStatus Status, string? Type, bool HasErrorObject)
{
    /// <summary>Reads the top-level <c>type</c> of a WebSocket message or SSE <c>data:</c> payload.</summary>
    /// <param name="json">The message's UTF-8 JSON.</param>
    /// <param name="findErrorObject">
    /// False: stop at the first <c>type</c> (the rest is left to the full parse). True: read the whole top level, also noting
    /// an <c>error</c> object, as the client does to tell an error envelope from an event.
    /// </param>
    /// <returns>The type and how it was found.</returns>
    /// <exception cref="JsonException">The part read is not valid JSON.</exception>
    public static MessageType Read(ReadOnlySpan<byte> json, bool findErrorObject = false)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return new MessageType(MessageTypeStatus.NotAnObject, null, false);
        }

        var status = MessageTypeStatus.Missing;
        string? type = null;
        bool error = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isType = reader.ValueTextEquals("type"u8);
            bool isError = findErrorObject && reader.ValueTextEquals("error"u8);
            reader.Read();
            if (isType && status == MessageTypeStatus.Missing)
            {
                (status, type) = reader.TokenType == JsonTokenType.String
                    ? (MessageTypeStatus.Found, reader.GetString())
                    : (MessageTypeStatus.NotAString, null);
                if (!findErrorObject)
                {
                    break;
                }
            }
            else if (isError && reader.TokenType == JsonTokenType.StartObject)
            {
                error = true;
            }

            reader.Skip();
        }

        return new MessageType(status, type, error);
    }
}
