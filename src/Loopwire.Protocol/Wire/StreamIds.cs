using System.Text.Json;
using Loopwire.Protocol.Errors;

namespace Loopwire.Protocol.Wire;

/// <summary>The <c>stream_id</c> (lane) of a WebSocket client event: read from the top level and validated.</summary>
public static class StreamIds
{
    /// <summary>The longest valid <c>stream_id</c>.</summary>
    public const int MaxLength = 256;

    /// <summary>Whether <paramref name="id"/> is 1-256 characters of <c>[A-Za-z0-9_.-]</c>.</summary>
    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads the top-level <c>stream_id</c> of a client event.</summary>
    /// <param name="json">The message (already known to be a JSON object).</param>
    /// <param name="present">Whether the key is present at all (a steer must not carry one).</param>
    /// <returns>The lane (null: the default lane), or the <c>invalid_stream_id</c> error when present but not valid.</returns>
    /// <exception cref="JsonException">The message is not valid JSON.</exception>
    public static (string? StreamId, ProtocolError? Error) Read(ReadOnlySpan<byte> json, out bool present)
    {
        present = false;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return (null, null);
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isStreamId = reader.ValueTextEquals("stream_id"u8);
            reader.Read();
            if (isStreamId)
            {
                present = true;
                string? value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                return IsValid(value) ? (value, null) : (null, Invalid());
            }

            reader.Skip();
        }

        return (null, null);
    }

    /// <summary>The <c>invalid_stream_id</c> error (400, <c>param: "stream_id"</c>).</summary>
    public static ProtocolError Invalid() => ProtocolError.Invalid(
        $"Invalid 'stream_id': expected a string of 1 to {MaxLength} characters from [A-Za-z0-9_.-].", "stream_id", ErrorCodes.InvalidStreamId);
}
