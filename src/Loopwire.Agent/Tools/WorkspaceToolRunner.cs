using Loopwire.Agent.Workspaces;
using Loopwire.Protocol.Requests;
using Loopwire.Scenarios;

namespace Loopwire.Agent.Tools;

/// <summary>The real tools (<see cref="CodingTools"/>) on a <see cref="Workspace"/>.</summary>
/// <remarks>
/// <para>
/// Dispatches each call by name to its tool (one type per tool). Every path goes through <see cref="Workspace.TryResolve"/>;
/// every output is capped; every failure is an error <see cref="ToolResult"/>. Only cancellation throws.
/// </para>
/// <para>
/// <c>run_tests</c> runs the test command (an argv, no shell) in the workspace root with <c>PYTHONDONTWRITEBYTECODE=1</c>,
/// and kills the whole process tree at the timeout or on cancellation. Workspace paths in its output are made relative and
/// python's "Ran N tests in 0.012s" loses its duration, so identical runs give identical results.
/// </para>
/// <para>Thread-safe: calls of one turn may run in parallel; edits are serialized.</para>
/// </remarks>
public sealed class WorkspaceToolRunner : IToolRunner
{
    private readonly Workspace _workspace;
    private readonly Dictionary<string, ITool> _tools;

    /// <summary>Creates the tools for a workspace.</summary>
    /// <param name="workspace">The workspace the tools work in; owned by the caller.</param>
    /// <param name="testCommand">The argv <c>run_tests</c> runs in the workspace root.</param>
    /// <param name="testTimeout">How long a test run may take before its process tree is killed.</param>
    /// <param name="options">Limits. <value>Default: <see cref="WorkspaceToolOptions"/> defaults.</value></param>
    /// <param name="timeProvider">The clock of the test timeout. <value>Default: <see cref="TimeProvider.System"/>.</value></param>
    /// <exception cref="ArgumentException">The test command is empty or an option is out of range.</exception>
    public WorkspaceToolRunner(
        Workspace workspace,
        IReadOnlyList<string> testCommand,
        TimeSpan testTimeout,
        WorkspaceToolOptions? options = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(testCommand);
        if (testCommand.Count == 0 || testCommand.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("the test command must be a non-empty list of non-empty strings", nameof(testCommand));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(testTimeout, TimeSpan.Zero);
        options ??= new WorkspaceToolOptions();
        options.Validate();
        _workspace = workspace;
        ITool[] tools =
        [
            new ListFilesTool(options),
            new GrepTool(options),
            new ReadFileTool(options),
            new EditFileTool(options),
            new RunTestsTool([.. testCommand], testTimeout, options, new ProcessTreeRunner(timeProvider ?? TimeProvider.System)),
        ];
        _tools = tools.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Creates the tools for a workspace, with the test command and timeout of a scenario.</summary>
    /// <param name="workspace">The workspace the tools work in; owned by the caller.</param>
    /// <param name="scenario">The scenario whose <see cref="Scenario.TestCommand"/> and <see cref="Scenario.TestTimeout"/> to use.</param>
    /// <param name="options">Limits. <value>Default: <see cref="WorkspaceToolOptions"/> defaults.</value></param>
    /// <param name="timeProvider">The clock of the test timeout. <value>Default: <see cref="TimeProvider.System"/>.</value></param>
    public WorkspaceToolRunner(Workspace workspace, Scenario scenario, WorkspaceToolOptions? options = null, TimeProvider? timeProvider = null)
        : this(workspace, (scenario ?? throw new ArgumentNullException(nameof(scenario))).TestCommand, scenario.TestTimeout, options, timeProvider)
    {
    }

    /// <inheritdoc />
    public IReadOnlyList<ToolDefinition> Definitions => CodingTools.Definitions;

    /// <inheritdoc />
    public async Task<ToolResult> RunAsync(ToolCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        cancellationToken.ThrowIfCancellationRequested();
        if (!ToolArguments.TryParse(call.ArgumentsJson, out var args, out var error))
        {
            return ToolResult.Error($"{call.Name}: {error}");
        }

        if (!_tools.TryGetValue(call.Name, out var tool))
        {
            return ToolResult.Error($"unknown tool '{call.Name}'; the tools are {string.Join(", ", CodingTools.Definitions.Select(d => d.Name))}");
        }

        try
        {
            return await tool.RunAsync(args, _workspace, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ToolResult.Error($"{call.Name}: {ex.Message}");
        }
    }
}
