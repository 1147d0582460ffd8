using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Loopwire.Agent.Tools;

/// <summary>Source-generated serialization metadata for tool recording files.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(ToolRecording))]
internal sealed partial class ToolRecordingJsonContext : JsonSerializerContext
{
    private static ToolRecordingJsonContext? s_files;

    /// <summary>For files people read and diff: indented, LF line ends, quotes and non-ASCII text not escaped.</summary>
    // Lazy: static initialisers of partial class files run in no defined order, so Default may not exist yet.
    public static ToolRecordingJsonContext Files => s_files ??= new(new JsonSerializerOptions(Default!.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
        NewLine = "\n",
    });
}
