using Loopwire.Protocol.Requests;

namespace Loopwire.Agent.Tools;

/// <summary>A tool call the model asked for.</summary>
/// <param name="CallId">The call id to answer with a <c>function_call_output</c>.</param>
/// <param name="Name">The tool name.</param>
/// <param name="ArgumentsJson">The JSON arguments as the model wrote them.</param>
public sealed record ToolCall(string CallId, string Name, string ArgumentsJson);

/// <summary>A tool's answer. Errors are answers too: the model reads them and reacts.</summary>
/// <param name="Output">The text fed back as the <c>function_call_output</c>; errors start with <c>error: </c>.</param>
/// <param name="IsError">Whether the call failed.</param>
public sealed record ToolResult(string Output, bool IsError)
{
    /// <summary>Creates an error result (<c>error: message</c>).</summary>
    public static ToolResult Error(string message) => new("error: " + message, true);

    /// <summary>Creates a success result.</summary>
    public static ToolResult Ok(string output) => new(output, false);
}

/// <summary>Runs the agent's tools.</summary>
/// <remarks>
/// Implementations are thread-safe: the agent runs the calls of one turn in parallel. A tool failure is returned as an
/// error <see cref="ToolResult"/>, never thrown; only cancellation throws.
/// </remarks>
public interface IToolRunner
{
    /// <summary>The tool definitions offered to the model (function tools with JSON schemas).</summary>
    IReadOnlyList<ToolDefinition> Definitions { get; }

    /// <summary>Runs one call.</summary>
    Task<ToolResult> RunAsync(ToolCall call, CancellationToken cancellationToken = default);
}
