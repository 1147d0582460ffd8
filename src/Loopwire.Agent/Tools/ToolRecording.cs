using System.Text.Json;

namespace Loopwire.Agent.Tools;

/// <summary>
/// What a real tool runner returned, call by call: the file format of <c>.loopwire/recording.json</c>, replayed by
/// <see cref="RecordedToolRunner"/> and produced by <see cref="RecordingToolRunner"/>.
/// </summary>
public sealed record ToolRecording
{
    /// <summary>The scenario the recording was made from, if any.</summary>
    public string? Scenario { get; init; }

    /// <summary>The calls, in the order they were made.</summary>
    public required IReadOnlyList<RecordedToolCall> Calls { get; init; }

    /// <summary>Parses a recording.</summary>
    /// <param name="utf8Json">The JSON text, UTF-8.</param>
    /// <returns>The recording.</returns>
    /// <exception cref="InvalidDataException">The JSON is malformed.</exception>
    public static ToolRecording Parse(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            return JsonSerializer.Deserialize(utf8Json, ToolRecordingJsonContext.Default.ToolRecording)
                ?? throw new InvalidDataException("invalid recording: the document is null");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException("invalid recording: " + ex.Message, ex);
        }
    }

    /// <summary>Loads a recording file.</summary>
    /// <param name="path">The file path.</param>
    /// <returns>The recording.</returns>
    /// <exception cref="InvalidDataException">The file is malformed.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ToolRecording Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return Parse(File.ReadAllBytes(path));
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Serializes the recording: indented JSON with LF line ends and a final newline, text not escaped.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, ToolRecordingJsonContext.Files.ToolRecording) + "\n";

    /// <summary>Writes the recording to a file (see <see cref="ToJson"/>).</summary>
    /// <param name="path">The file path; its directory must exist.</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllText(path, ToJson());
    }
}

/// <summary>One recorded call and its result.</summary>
public sealed record RecordedToolCall
{
    /// <summary>The tool name.</summary>
    public required string Name { get; init; }

    /// <summary>The arguments in canonical form (keys sorted); a JSON string when the model's arguments were not JSON.</summary>
    public required JsonElement Arguments { get; init; }

    /// <summary>The tool output.</summary>
    public required string Output { get; init; }

    /// <summary>Whether the result was an error.</summary>
    public bool IsError { get; init; }

    /// <summary>The result as a <see cref="ToolResult"/>.</summary>
    /// <returns>The result.</returns>
    public ToolResult ToResult() => new(Output, IsError);
}
