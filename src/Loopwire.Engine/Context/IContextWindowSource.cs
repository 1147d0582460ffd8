namespace Loopwire.Engine.Context;

/// <summary>A backend that knows the context window of its models (the simulated profiles do).</summary>
public interface IContextWindowSource
{
    /// <summary>The context window of <paramref name="model"/> in tokens, or null when unknown.</summary>
    int? ContextWindow(string model);
}
