using Loopwire.Agent.Tools;
using Loopwire.Agent.Workspaces;
using Loopwire.Scenarios;

namespace Loopwire.Agent.Scenarios;

/// <summary>A sample repository: the source of workspaces, with its scenario and recording under <c>.loopwire/</c>.</summary>
/// <param name="Name">The sample's name (its folder name).</param>
/// <param name="RootDirectory">The full path of the sample's folder.</param>
public sealed record Sample(string Name, string RootDirectory)
{
    /// <summary>The path of <c>.loopwire/scenario.json</c>.</summary>
    public string ScenarioPath => Path.Combine(RootDirectory, Workspace.HiddenFolderName, "scenario.json");

    /// <summary>The path of <c>.loopwire/recording.json</c>.</summary>
    public string RecordingPath => Path.Combine(RootDirectory, Workspace.HiddenFolderName, "recording.json");

    /// <summary>Loads the sample's scenario.</summary>
    /// <returns>The validated scenario.</returns>
    /// <exception cref="InvalidDataException">The scenario file is malformed.</exception>
    /// <exception cref="IOException">The scenario file cannot be read.</exception>
    public Scenario LoadScenario() => Scenario.Load(ScenarioPath);

    /// <summary>Loads the sample's tool recording.</summary>
    /// <returns>The recording.</returns>
    /// <exception cref="InvalidDataException">The recording file is malformed.</exception>
    /// <exception cref="IOException">The recording file cannot be read.</exception>
    public ToolRecording LoadRecording() => ToolRecording.Load(RecordingPath);

    /// <summary>Creates a fresh workspace copy of the sample (see <see cref="Workspace.Create"/>).</summary>
    /// <param name="parentDirectory">Where to create the copy. <value>Default: the system temporary directory.</value></param>
    /// <returns>The workspace; dispose it to delete the copy.</returns>
    public Workspace CreateWorkspace(string? parentDirectory = null) => Workspace.Create(RootDirectory, parentDirectory);
}
