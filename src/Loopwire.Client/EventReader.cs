using System.Collections.Frozen;
using System.Text.Json;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;
using Loopwire.Protocol.Wire;

namespace Loopwire.Client;

/// <summary>Turns one event's JSON (an SSE <c>data:</c> payload or a WebSocket text message) into an event or an error.</summary>
internal static class EventReader
{
    private static readonly FrozenSet<string> Known = ProtocolJsonContext.Wire.ResponseEvent.PolymorphismOptions!.DerivedTypes
        .Select(d => (string)d.TypeDiscriminator!)
        .ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Reads a message.</summary>
    /// <returns>The event; or the error of a WebSocket error envelope; or neither for event types this client does not know;
    /// and the lane (<c>stream_id</c>) of an event or error, null for the default lane.</returns>
    /// <exception cref="JsonException">The message is not valid JSON of a known shape.</exception>
    public static (ResponseEvent? Event, ResponsesApiException? Error, string? StreamId) Read(ReadOnlySpan<byte> json)
    {
        var peek = MessageType.Read(json, findErrorObject: true);
        if (peek.Status == MessageTypeStatus.NotAnObject)
        {
            throw new JsonException("An event must be a JSON object.");
        }

        string? type = peek.Type;
        if (type == "error" && peek.HasErrorObject)
        {
            var envelope = JsonSerializer.Deserialize(json, ProtocolJsonContext.Wire.WebSocketErrorEnvelope)!;
            var e = envelope.Error;
            return (null, new ResponsesApiException(envelope.Status, e?.Type, e?.Code, e?.Param, e?.Message ?? "The server reported an error."),
                envelope.StreamId);
        }

        if (type is null || !Known.Contains(type))
        {
            return (null, null, StreamIds.Read(json, out _).StreamId);
        }

        var read = JsonSerializer.Deserialize(json, ProtocolJsonContext.Wire.ResponseEvent);
        return (read, null, read?.StreamId);
    }
}
