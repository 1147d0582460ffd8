using System.Text.Json.Serialization;

namespace Loopwire.Bench.Load;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(LoadResult))]
[JsonSerializable(typeof(HoldResult))]
[JsonSerializable(typeof(int[][][]))]
internal sealed partial class LoadJsonContext : JsonSerializerContext;
