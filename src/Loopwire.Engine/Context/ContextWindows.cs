using Loopwire.Engine.Backends;

namespace Loopwire.Engine.Context;

/// <summary>The context window of a model: configured (<c>Loopwire:ContextWindows</c>), else the backend's, else the global cap.</summary>
/// <remarks>Never above <see cref="EngineOptions.MaxContextTokens"/>. Immutable; thread-safe.</remarks>
internal sealed class ContextWindows(EngineOptions options, ModelRouter router)
{
    /// <summary>The window of <paramref name="model"/> and how the limit is named in errors.</summary>
    public (int Tokens, string Name) For(string model)
    {
        foreach (var (pattern, tokens) in options.ContextWindows)
        {
            if (ModelRouter.Matches(pattern, model))
            {
                return Capped(tokens, $"the context window of '{model}', Loopwire:ContextWindows:{pattern}");
            }
        }

        if (router.Resolve(model) is IContextWindowSource source && source.ContextWindow(model) is { } window)
        {
            return Capped(window, $"the context window of '{model}'");
        }

        return (options.MaxContextTokens, "MaxContextTokens");
    }

    private (int, string) Capped(int tokens, string name) =>
        tokens > options.MaxContextTokens ? (options.MaxContextTokens, "MaxContextTokens") : (tokens, name);
}
