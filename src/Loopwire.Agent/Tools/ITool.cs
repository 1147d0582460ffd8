using Loopwire.Agent.Workspaces;

namespace Loopwire.Agent.Tools;

/// <summary>One of the agent's tools, run by <see cref="WorkspaceToolRunner"/> on a workspace.</summary>
/// <remarks>
/// Implementations are thread-safe. Expected failures (bad arguments, missing files) are error <see cref="ToolResult"/>s;
/// only cancellation and I/O exceptions leave <see cref="RunAsync"/>, and the runner turns the latter into results.
/// </remarks>
internal interface ITool
{
    /// <summary>The tool's name, one of the <see cref="CodingTools"/> names.</summary>
    string Name { get; }

    /// <summary>Runs one call.</summary>
    Task<ToolResult> RunAsync(ToolArguments arguments, Workspace workspace, CancellationToken cancellationToken);
}
