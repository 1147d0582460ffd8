using System.Net.WebSockets;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Server.WebSockets;

/// <summary>One message for the send loop, the single owner of the socket's send side.</summary>
internal abstract record Outbound;

/// <summary>A response event, sent as one text frame.</summary>
internal sealed record EventFrame(ResponseEvent Event) : Outbound;

/// <summary>An <c>error</c> envelope, sent as one text frame; the connection stays open.</summary>
internal sealed record ErrorFrame(WebSocketErrorEnvelope Envelope) : Outbound;

/// <summary>The close handshake; the send loop ends after it.</summary>
internal sealed record CloseFrame(WebSocketCloseStatus Status, string? Reason) : Outbound;
