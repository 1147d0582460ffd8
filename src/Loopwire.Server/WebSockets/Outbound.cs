using System.Net.WebSockets;
using System.Text.Json;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Server.WebSockets;

/// <summary>One message for the send loop, the single owner of the socket's send side.</summary>
internal abstract record Outbound;

/// <summary>A message sent as one JSON text frame.</summary>
internal abstract record TextFrame : Outbound
{
    /// <summary>Writes the frame's JSON.</summary>
    public abstract void WriteTo(Utf8JsonWriter writer);
}

/// <summary>A response event.</summary>
internal sealed record EventFrame(ResponseEvent Event) : TextFrame
{
    public override void WriteTo(Utf8JsonWriter writer) => JsonSerializer.Serialize(writer, Event, ProtocolJsonContext.Wire.ResponseEvent);
}

/// <summary>An <c>error</c> envelope; the connection stays open.</summary>
internal sealed record ErrorFrame(WebSocketErrorEnvelope Envelope) : TextFrame
{
    public override void WriteTo(Utf8JsonWriter writer) => JsonSerializer.Serialize(writer, Envelope, ProtocolJsonContext.Wire.WebSocketErrorEnvelope);
}

/// <summary>The close handshake; the send loop ends after it.</summary>
internal sealed record CloseFrame(WebSocketCloseStatus Status, string? Reason) : Outbound;
