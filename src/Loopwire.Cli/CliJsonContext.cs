using System.Text.Json.Serialization;
using Loopwire.Bench.Overhead;

namespace Loopwire.Cli;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(OverheadResult))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
