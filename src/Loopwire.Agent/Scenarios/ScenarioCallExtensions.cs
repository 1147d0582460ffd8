using Loopwire.Agent.Tools;
using Loopwire.Scenarios;

namespace Loopwire.Agent.Scenarios;

/// <summary>Turns scripted calls into the agent's <see cref="ToolCall"/>s.</summary>
public static class ScenarioCallExtensions
{
    /// <summary>Creates the <see cref="ToolCall"/> for a scripted call.</summary>
    /// <param name="call">The scripted call.</param>
    /// <param name="callId">The call id to use.</param>
    /// <returns>The tool call, with the arguments as JSON text as a model would send them.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="call"/> is null.</exception>
    public static ToolCall ToToolCall(this ScenarioCall call, string callId)
    {
        ArgumentNullException.ThrowIfNull(call);
        return new(callId, call.Name, call.ArgumentsJson);
    }
}
