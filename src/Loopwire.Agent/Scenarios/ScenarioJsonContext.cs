using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Loopwire.Agent.Tools;

namespace Loopwire.Agent.Scenarios;

/// <summary>Source-generated serialization metadata for scenario and recording files.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(Scenario))]
[JsonSerializable(typeof(ToolRecording))]
internal sealed partial class ScenarioJsonContext : JsonSerializerContext
{
    private static ScenarioJsonContext? s_files;

    /// <summary>For files people read and diff: indented, LF line ends, quotes and non-ASCII text not escaped.</summary>
    // Lazy: static initialisers of partial class files run in no defined order, so Default may not exist yet.
    public static ScenarioJsonContext Files => s_files ??= new(new JsonSerializerOptions(Default!.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
        NewLine = "\n",
    });
}
