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
    /// <returns>The event; or the error of a WebSocket error envelope; or neither for event types this client does not know.</returns>
    /// <exception cref="JsonException">The message is not valid JSON of a known shape.</exception>
    public static (ResponseEvent? Event, ResponsesApiException? Error) Read(ReadOnlySpan<byte> json)
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
            return (null, new ResponsesApiException(envelope.Status, e?.Type, e?.Code, e?.Param, e?.Message ?? "The server reported an error."));
        }

        if (type is null || !Known.Contains(type))
        {
            return (null, null);
        }

        return (JsonSerializer.Deserialize(json, ProtocolJsonContext.Wire.ResponseEvent), null);
    }
}
