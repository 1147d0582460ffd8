using System.Text.Json.Serialization;
using Loopwire.Engine;

namespace Loopwire.Server.Http;

/// <summary>The list returned by <c>GET /loopwire/v1/turns</c>.</summary>
public sealed record TurnList(IReadOnlyList<TurnRecord> Data);

/// <summary>Source-generated metadata for the server's own (non-OpenAI) payloads.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TurnList))]
internal sealed partial class ServerJsonContext : JsonSerializerContext;
