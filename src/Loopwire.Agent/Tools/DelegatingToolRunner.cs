using Loopwire.Protocol.Requests;

namespace Loopwire.Agent.Tools;

/// <summary>
/// A tool runner that passes everything to an inner runner: the base of decorators that change one thing (inject faults,
/// record results) and leave the rest alone.
/// </summary>
/// <remarks>
/// The shape of Microsoft.Extensions.AI's <c>DelegatingChatClient</c>: derived classes override <see cref="RunAsync"/> and
/// call the base (or <see cref="InnerRunner"/>) for the calls they do not handle. Thread-safe when the inner runner is.
/// </remarks>
public class DelegatingToolRunner : IToolRunner
{
    /// <summary>Wraps <paramref name="innerRunner"/>.</summary>
    /// <param name="innerRunner">The runner that gets every call the decorator passes on.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerRunner"/> is null.</exception>
    protected DelegatingToolRunner(IToolRunner innerRunner)
    {
        ArgumentNullException.ThrowIfNull(innerRunner);
        InnerRunner = innerRunner;
    }

    /// <summary>The wrapped runner.</summary>
    protected IToolRunner InnerRunner { get; }

    /// <inheritdoc />
    public virtual IReadOnlyList<ToolDefinition> Definitions => InnerRunner.Definitions;

    /// <inheritdoc />
    public virtual Task<ToolResult> RunAsync(ToolCall call, CancellationToken cancellationToken = default) =>
        InnerRunner.RunAsync(call, cancellationToken);
}
