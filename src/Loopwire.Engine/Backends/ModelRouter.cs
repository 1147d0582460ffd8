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

    /// <summary>
    /// The model names that are routable: each backend's names (an <see cref="IModelLister"/> may ask its upstream) that
    /// this router sends to that backend, plus routes that name one model exactly.
    /// </summary>
    /// <remarks>A backend that cannot list its models contributes none; listing never fails the call.</remarks>
    public async Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        var backends = _routes.Select(r => r.Backend).Append(defaultBackend).Distinct().ToList();
        var lists = await Task.WhenAll(backends.Select(b => b is IModelLister lister
            ? lister.ListModelsAsync(cancellationToken)
            : Task.FromResult(b.Models))).ConfigureAwait(false);
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < backends.Count; i++)
        {
            foreach (var model in lists[i])
            {
                if (ReferenceEquals(Resolve(model), backends[i]) && seen.Add(model))
                {
                    result.Add(model);
                }
            }
        }

        foreach (var (pattern, _) in _routes)
        {
            if (pattern.AsSpan().IndexOfAny('*', '?') < 0 && seen.Add(pattern))
            {
                result.Add(pattern);
            }
        }

        return result;
    }

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
