using System.Text.Json;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;

namespace Loopwire.Server.WebSockets;

/// <summary>One parsed client message of WebSocket mode.</summary>
internal abstract record ClientMessage;

/// <summary>A valid <c>response.create</c> for lane <paramref name="StreamId"/> (null: the default lane).</summary>
internal sealed record CreateMessage(CreateResponseRequest Request, string? StreamId) : ClientMessage;

/// <summary>
/// A <c>response.steer</c>. <paramref name="Items"/> are its user messages when valid; otherwise <paramref name="Error"/> is the
/// <c>response.steer.failed</c> error. <paramref name="Input"/> is the original input, sent back when the steer fails.
/// </summary>
internal sealed record SteerMessage(string? PreviousResponseId, IReadOnlyList<ResponseItem>? Items, JsonElement? Input, ProtocolError? Error)
    : ClientMessage;

/// <summary>Codex's <c>response.interrupt</c>.</summary>
internal sealed record InterruptMessage(string? ResponseId, string? Mode) : ClientMessage;

/// <summary>A message answered with an <c>error</c> event (echoing <paramref name="StreamId"/> when the create named a valid lane).</summary>
internal sealed record InvalidMessage(ProtocolError Error, string? StreamId = null) : ClientMessage;
