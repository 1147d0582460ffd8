using System.Text.Json;
using System.Text.Unicode;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Validation;
using Loopwire.Protocol.Wire;

namespace Loopwire.Server.WebSockets;

/// <summary>Turns one client text message into a request to queue, an error to send, or nothing (an acknowledgement).</summary>
internal static class InboundMessage
{
    /// <summary>Reads a client message.</summary>
    /// <returns>The request of a valid <c>response.create</c>; or the error to answer with; or neither when the message needs no answer.</returns>
    public static (CreateResponseRequest? Request, ProtocolError? Error) Parse(ReadOnlySpan<byte> json)
    {
        // Kestrel's WebSocket fails the connection on invalid UTF-8 itself; other hosts (TestServer, proxies) pass it on.
        if (!Utf8.IsValid(json))
        {
            return (null, ProtocolError.Invalid("The message is not valid UTF-8.", null, ErrorCodes.InvalidJson));
        }

        MessageType type;
        try
        {
            type = MessageType.Read(json);
        }
        catch (JsonException ex)
        {
            return (null, RequestReader.FromJsonException(ex));
        }

        switch (type.Status)
        {
            case MessageTypeStatus.NotAnObject:
                return (null, ProtocolError.Invalid("Each message must be a JSON object.", null, ErrorCodes.InvalidJson));
            case MessageTypeStatus.NotAString:
                return (null, ProtocolError.WrongType("type", "a string"));
            case MessageTypeStatus.Missing:
                return (null, ProtocolError.Missing("type"));
        }

        switch (type.Type)
        {
            case "response.create":
                break;
            case "response.processed":
                return (null, null); // Codex acknowledges a response; nothing to do.
            case "response.append":
                return (null, ProtocolError.Invalid("'response.append' is not supported; use 'response.create' with 'previous_response_id'.",
                    "type", ErrorCodes.UnsupportedMessage));
            default:
                return (null, ProtocolError.Invalid($"Unknown message type '{type.Type}'. Supported: 'response.create'.", "type",
                    ErrorCodes.UnknownMessageType));
        }

        var error = RequestReader.TryParse(json, out var request);
        if (error is null && request!.Background == true)
        {
            error = ProtocolError.Invalid("'background' is not supported over WebSocket; use HTTP for background responses.", "background",
                ErrorCodes.UnsupportedParameter);
        }

        return error is null ? (request, null) : (null, error);
    }
}
