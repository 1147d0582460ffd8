using System.Text.Json;
using System.Text.Unicode;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Validation;
using Loopwire.Protocol.Wire;

namespace Loopwire.Server.WebSockets;

/// <summary>Turns one client text message into a <see cref="ClientMessage"/>, or nothing (an acknowledgement).</summary>
internal static class InboundMessage
{
    /// <summary>The <c>mode</c> of <c>response.interrupt</c> Loopwire supports (Codex's only one).</summary>
    public const string DiscardPartialItems = "discard_partial_items";

    /// <summary>Reads a client message.</summary>
    /// <param name="json">The message.</param>
    /// <param name="items">Items the connection's tenant sent before (a replayed history is not read again); null: none.</param>
    /// <returns>The message; or null when it needs no answer (<c>response.processed</c>).</returns>
    public static ClientMessage? Parse(ReadOnlySpan<byte> json, IItemParseCache? items = null)
    {
        // The common case in one pass: a valid response.create (its lane read on the way) whose replayed items are known.
        // Anything else, errors included, is read the ordinary way below, which gives the same message or the exact error.
        if (items is not null && RequestReader.TryParseCached(json, items, out var fast, out var fastStream)
            && fast!.Type == "response.create" && fast.Background != true && (fastStream is null || StreamIds.IsValid(fastStream)))
        {
            return new CreateMessage(fast, fastStream);
        }

        // Kestrel's WebSocket fails the connection on invalid UTF-8 itself; other hosts (TestServer, proxies) pass it on.
        if (!Utf8.IsValid(json))
        {
            return new InvalidMessage(ProtocolError.Invalid("The message is not valid UTF-8.", null, ErrorCodes.InvalidJson));
        }

        MessageType type;
        try
        {
            type = MessageType.Read(json);
        }
        catch (JsonException ex)
        {
            return new InvalidMessage(RequestReader.FromJsonException(ex));
        }

        switch (type.Status)
        {
            case MessageTypeStatus.NotAnObject:
                return new InvalidMessage(ProtocolError.Invalid("Each message must be a JSON object.", null, ErrorCodes.InvalidJson));
            case MessageTypeStatus.NotAString:
                return new InvalidMessage(ProtocolError.WrongType("type", "a string"));
            case MessageTypeStatus.Missing:
                return new InvalidMessage(ProtocolError.Missing("type"));
        }

        try
        {
            return type.Type switch
            {
                "response.create" => ParseCreate(json),
                "response.steer" => ParseSteer(json),
                "response.interrupt" => ParseInterrupt(json),
                "response.processed" => null, // Codex acknowledges a response; nothing to do.
                "response.append" => new InvalidMessage(ProtocolError.Invalid(
                    "'response.append' is not supported; use 'response.create' with 'previous_response_id'.", "type", ErrorCodes.UnsupportedMessage)),
                _ => new InvalidMessage(ProtocolError.Invalid(
                    $"Unknown message type '{type.Type}'. Supported: 'response.create', 'response.steer', 'response.interrupt', 'response.processed'.",
                    "type", ErrorCodes.UnknownMessageType)),
            };
        }
        catch (JsonException ex)
        {
            return new InvalidMessage(RequestReader.FromJsonException(ex));
        }
    }

    private static ClientMessage ParseCreate(ReadOnlySpan<byte> json)
    {
        // The lane first: an invalid stream_id is reported without an echo, and nothing runs.
        var (streamId, laneError) = StreamIds.Read(json, out _);
        if (laneError is not null)
        {
            return new InvalidMessage(laneError);
        }

        var error = RequestReader.TryParse(json, out var request);
        if (error is null && request!.Background == true)
        {
            error = ProtocolError.Invalid("'background' is not supported over WebSocket; use HTTP for background responses.", "background",
                ErrorCodes.UnsupportedParameter);
        }

        return error is null ? new CreateMessage(request!, streamId) : new InvalidMessage(error, streamId);
    }

    private static SteerMessage ParseSteer(ReadOnlySpan<byte> json)
    {
        using var doc = JsonDocument.Parse(json.ToArray());
        var root = doc.RootElement;
        string? target = root.TryGetProperty("previous_response_id", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        JsonElement? input = root.TryGetProperty("input", out var i) ? i.Clone() : null;
        if (root.TryGetProperty("stream_id", out _))
        {
            return Failed("'response.steer' takes no 'stream_id': the target response's lane is used.", "stream_id");
        }

        if (target is null)
        {
            return Failed("'previous_response_id' must name the response to steer.", "previous_response_id");
        }

        SteerRequest? steer;
        try
        {
            steer = JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.SteerRequest);
        }
        catch (ProtocolException ex)
        {
            return Failed(ex.Error.Message, ex.Error.Param);
        }

        var items = steer?.Input;
        if (items is null || items.Count == 0)
        {
            return Failed("'input' must be a string or a non-empty array of user messages.", "input");
        }

        for (int n = 0; n < items.Count; n++)
        {
            if (items[n] is not MessageItem { Role: "user" })
            {
                return Failed($"A steer's input holds only user messages; 'input[{n}]' is not one.", $"input[{n}]");
            }
        }

        return new SteerMessage(target, items, input, null);

        SteerMessage Failed(string message, string? param) =>
            new(target, null, input, ProtocolError.Invalid(message, param, ErrorCodes.SteerInvalidInput));
    }

    private static ClientMessage ParseInterrupt(ReadOnlySpan<byte> json)
    {
        using var doc = JsonDocument.Parse(json.ToArray());
        var root = doc.RootElement;
        string? id = root.TryGetProperty("response_id", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        string? mode = root.TryGetProperty("mode", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        if (id is null)
        {
            return new InvalidMessage(ProtocolError.Missing("response_id"));
        }

        if (mode is not null and not DiscardPartialItems)
        {
            return new InvalidMessage(ProtocolError.Invalid($"Unsupported interrupt mode '{mode}'; supported: '{DiscardPartialItems}'.", "mode"));
        }

        return new InterruptMessage(id, mode ?? DiscardPartialItems);
    }
}
