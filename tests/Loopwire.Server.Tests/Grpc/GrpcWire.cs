using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Loopwire.Grpc;

namespace Loopwire.Server.Tests.Grpc;

/// <summary>The gRPC tests' wire helpers: a <c>response.create</c> message, an event's type, one turn over a call.</summary>
internal static class GrpcWire
{
    public static WireMessage Create(JsonObject body)
    {
        body["type"] = "response.create";
        return new WireMessage { Json = ByteString.CopyFromUtf8(body.ToJsonString()) };
    }

    public static string Type(JsonElement e) => e.GetProperty("type").GetString()!;

    /// <summary>Sends one message and reads events up to a terminal event or an error.</summary>
    public static async Task<List<JsonElement>> RunAsync(AsyncDuplexStreamingCall<WireMessage, WireMessage> call, WireMessage message)
    {
        await call.RequestStream.WriteAsync(message);
        var events = new List<JsonElement>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            var e = JsonDocument.Parse(Encoding.UTF8.GetString(call.ResponseStream.Current.Json.Span)).RootElement.Clone();
            events.Add(e);
            if (Type(e) is "error" or "response.completed" or "response.failed" or "response.incomplete")
            {
                return events;
            }
        }

        return events;
    }
}
