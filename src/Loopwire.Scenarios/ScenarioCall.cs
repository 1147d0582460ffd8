using System.Text.Json;
using System.Text.Json.Serialization;

namespace Loopwire.Scenarios;

/// <summary>A tool call in a <see cref="ScenarioStep"/>.</summary>
public sealed record ScenarioCall
{
    /// <summary>The tool name, e.g. <c>read_file</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The arguments object.</summary>
    public required JsonElement Arguments { get; init; }

    /// <summary>The arguments as JSON text, as a model would send them.</summary>
    [JsonIgnore]
    public string ArgumentsJson => Arguments.GetRawText();
}
