using System.Text.Json;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Serialization;
using Microsoft.Extensions.Logging;

namespace Loopwire.Engine.Backends.Responses;

/// <summary>What an upstream's reply to a passed-through <c>response.steer</c> means for the socket.</summary>
internal enum SteerReply
{
    /// <summary>Not a steer reply: the response's own event.</summary>
    None,

    /// <summary><c>response.steer.accepted</c>: the upstream ends the response and generates the successor.</summary>
    Accepted,

    /// <summary><c>response.steer.failed</c> or <c>.pending</c>: the upstream generates no successor for it.</summary>
    NoSuccessor,
}

/// <summary>
/// Steering through a Responses WebSocket upstream: a steer on a response streaming from an upstream socket is forwarded there
/// (the upstream stops the response at its own item boundary and generates the successor on the same socket) instead of
/// cancelling the upstream request and sending a new one.
/// </summary>
/// <remarks>
/// Thread-safe: <see cref="TryPass"/> runs on the steering caller's thread (the downstream connection's receive loop) while the
/// backend reads the socket; steer frames are sent one at a time, in order, through the socket's send chain.
/// </remarks>
internal sealed class UpstreamSteering(string name, UpstreamSocketIo io, ILogger logger)
{
    /// <summary>Forwards a steer on <paramref name="upstreamResponseId"/>; false when it cannot (no upstream id yet, socket gone).</summary>
    public bool TryPass(UpstreamSocket? session, string? upstreamResponseId, IReadOnlyList<ResponseItem> input)
    {
        if (session is null || upstreamResponseId is null || !session.IsOpen)
        {
            return false;
        }

        byte[] body = Build(upstreamResponseId, input);
        session.SteerSent = true;
        session.Send(ws => io.SendAsync(ws, body, CancellationToken.None));
        UpstreamLog.SteerPassed(logger, name, upstreamResponseId, input.Count);
        return true;
    }

    /// <summary>Classifies an upstream message: a steer reply (consumed here) or the response's own event.</summary>
    public SteerReply Classify(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String)
        {
            return SteerReply.None;
        }

        string? type = t.GetString();
        switch (type)
        {
            case "response.steer.accepted":
                return SteerReply.Accepted;
            case "response.steer.failed" or "response.steer.pending":
                string? code = e.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.Object
                    && err.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                UpstreamLog.SteerNotApplied(logger, name, type, code ?? "none");
                return SteerReply.NoSuccessor;
            default:
                return SteerReply.None;
        }
    }

    /// <summary><c>{"type":"response.steer","previous_response_id":…,"input":[…]}</c>.</summary>
    internal static byte[] Build(string upstreamResponseId, IReadOnlyList<ResponseItem> input)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", "response.steer");
            w.WriteString("previous_response_id", upstreamResponseId);
            w.WritePropertyName("input");
            JsonSerializer.Serialize(w, input.Select(i => i.Id is null ? i : i with { Id = null }).ToList(), ProtocolJsonContext.Wire.ListResponseItem);
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
