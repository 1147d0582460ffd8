using System.Text.Json.Serialization;
using Loopwire.Bench.Load;
using Loopwire.Bench.Overhead;

namespace Loopwire.Cli;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(OverheadResult))]
[JsonSerializable(typeof(LoadResult))]
[JsonSerializable(typeof(HoldResult))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
