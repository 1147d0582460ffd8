namespace Loopwire.Engine.Backends;

/// <summary>Routes a model name to a backend: explicit glob routes first (e.g. <c>llama*</c>), then the default.</summary>
/// <remarks>Immutable after construction; thread-safe.</remarks>
public sealed class ModelRouter(IModelBackend defaultBackend, IReadOnlyList<(string Pattern, IModelBackend Backend)>? routes = null)
{
    private readonly IReadOnlyList<(string Pattern, IModelBackend Backend)> _routes = routes ?? [];

    /// <summary>The backend for <paramref name="model"/>.</summary>
    public IModelBackend Resolve(string model)
    {
        foreach (var (pattern, backend) in _routes)
        {
            if (Matches(pattern, model))
            {
                return backend;
            }
        }

        return defaultBackend;
    }

    /// <summary>Every model name a backend announces.</summary>
    public IReadOnlyList<string> Models =>
        _routes.SelectMany(r => r.Backend.Models).Concat(defaultBackend.Models).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Glob match with <c>*</c> and <c>?</c>, case-insensitive.</summary>
    public static bool Matches(string pattern, string value)
    {
        int p = 0, v = 0, star = -1, mark = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(value[v])))
            {
                p++;
                v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = v;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
