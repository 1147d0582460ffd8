using System.Text.Json.Serialization;
using Loopwire.Engine;

namespace Loopwire.Server.Http;

/// <summary>The list returned by <c>GET /loopwire/v1/turns</c>.</summary>
public sealed record TurnList(IReadOnlyList<TurnRecord> Data);

/// <summary>One simulated profile's cost model.</summary>
public sealed record CostModelEntry(string Model, double BaseLatencyMs, double PrefillTokensPerSecond, double DecodeTokensPerSecond);

/// <summary>The list returned by <c>GET /loopwire/v1/cost-model</c>.</summary>
public sealed record CostModelList(IReadOnlyList<CostModelEntry> Data, string DefaultProfile, int PrefixCacheBlockTokens);

/// <summary>Source-generated metadata for the server's own (non-OpenAI) payloads.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TurnList))]
[JsonSerializable(typeof(CostModelList))]
internal sealed partial class ServerJsonContext : JsonSerializerContext;
