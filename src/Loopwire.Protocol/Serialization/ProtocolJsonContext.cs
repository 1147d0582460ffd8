using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Loopwire.Protocol.Admin;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Protocol.Serialization;

/// <summary>Source-generated serialization metadata for every wire type.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true,
    Converters = [typeof(ResponseItemConverter), typeof(MessageContentConverter)])]
[JsonSerializable(typeof(CreateResponseRequest))]
[JsonSerializable(typeof(ResponseObject))]
[JsonSerializable(typeof(ResponseEvent))]
[JsonSerializable(typeof(ResponseItem))]
[JsonSerializable(typeof(MessageItem))]
[JsonSerializable(typeof(FunctionCallItem))]
[JsonSerializable(typeof(FunctionCallOutputItem))]
[JsonSerializable(typeof(CustomToolCallItem))]
[JsonSerializable(typeof(CustomToolCallOutputItem))]
[JsonSerializable(typeof(ReasoningItem))]
[JsonSerializable(typeof(ItemReferenceItem))]
[JsonSerializable(typeof(OpaqueItem))]
[JsonSerializable(typeof(ContentPart))]
[JsonSerializable(typeof(List<ResponseItem>))]
[JsonSerializable(typeof(IReadOnlyList<ResponseItem>))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(WebSocketErrorEnvelope))]
[JsonSerializable(typeof(SteerRequest))]
[JsonSerializable(typeof(DeletedResponse))]
[JsonSerializable(typeof(ItemList))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(TurnList))]
[JsonSerializable(typeof(CostModelList))]
[JsonSerializable(typeof(CompactionItem))]
[JsonSerializable(typeof(CompactionTriggerItem))]
[JsonSerializable(typeof(CompactResponse))]
[JsonSerializable(typeof(InputTokensResponse))]
[JsonSerializable(typeof(Conversations.ConversationObject))]
[JsonSerializable(typeof(Conversations.ConversationDeleted))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext
{
    private static ProtocolJsonContext? s_wire;

    /// <summary>The context used on the wire: like <see cref="Default"/>, but without escaping quotes and non-ASCII text.</summary>
    // Lazy: static initialisers of partial class files run in no defined order, so Default may not exist yet.
    public static ProtocolJsonContext Wire => s_wire ??= new(new JsonSerializerOptions(Default!.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>Writer options matching <see cref="Wire"/>.</summary>
    public static JsonWriterOptions WireWriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
