using System.ComponentModel.DataAnnotations;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Backends.ChatCompletions;
using Loopwire.Engine.Backends.Responses;
using Loopwire.Simulation;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.Hosting;

/// <summary>
/// The configured model backends and the router over them: the simulated model plus one upstream backend per
/// <c>Loopwire:Backends:NAME</c>, routed by <c>Loopwire:ModelRoutes</c>. Each upstream sends through its named client
/// (<see cref="UpstreamHttpClients"/>); this owns the backends (their slots and pooled sockets).
/// </summary>
internal sealed class ModelBackends : IAsyncDisposable
{
    /// <summary>The route target that names the embedded simulated model.</summary>
    public const string SimulatedName = "simulated";

    private readonly List<IDisposable> _disposables = [];
    private readonly List<IAsyncDisposable> _asyncDisposables = [];

    public ModelBackends(IOptions<LoopwireServerOptions> options, SimulatedBackend simulated, IHttpClientFactory clients,
        IHttpMessageHandlerFactory handlers, TimeProvider time, ILoggerFactory loggers)
    {
        var o = options.Value;
        var backends = new Dictionary<string, IModelBackend>(StringComparer.OrdinalIgnoreCase) { [SimulatedName] = simulated };
        foreach (var (name, b) in o.Backends)
        {
            string clientName = UpstreamHttpClients.ClientName(name);
            var logger = loggers.CreateLogger(clientName);
            backends[name] = b.Type switch
            {
                UpstreamBackendOptions.ResponsesType => Track(new ResponsesHttpBackend(name, b, clients.CreateClient(clientName), time, logger)),
                UpstreamBackendOptions.ResponsesWebSocketType =>
                    TrackAsync(new ResponsesWebSocketBackend(name, b, handlers.CreateHandler(clientName), time, logger)),
                _ => Track(new ChatCompletionsBackend(name, b, clients.CreateClient(clientName), time, logger)),
            };
        }

        var routes = new List<(string Pattern, IModelBackend Backend)>();
        foreach (var route in o.ModelRoutes)
        {
            var (pattern, target) = ParseRoute(route)!.Value;
            routes.Add((pattern, backends[target]));
        }

        Router = new ModelRouter(simulated, routes);
    }

    public ModelRouter Router { get; }

    /// <summary>Splits <c>GLOB=NAME</c> at its last <c>=</c>; null when malformed.</summary>
    public static (string Pattern, string Backend)? ParseRoute(string route)
    {
        int eq = route.LastIndexOf('=');
        if (eq <= 0 || eq == route.Length - 1)
        {
            return null;
        }

        return (route[..eq].Trim(), route[(eq + 1)..].Trim());
    }

    /// <summary>Closes the pooled sockets and frees the backends' slots; the factory owns the clients' handlers.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var d in _asyncDisposables)
        {
            await d.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var d in _disposables)
        {
            d.Dispose();
        }
    }

    private T Track<T>(T backend) where T : IDisposable
    {
        _disposables.Add(backend);
        return backend;
    }

    private T TrackAsync<T>(T backend) where T : IAsyncDisposable
    {
        _asyncDisposables.Add(backend);
        return backend;
    }
}

/// <summary>Validates <c>Loopwire:Backends</c> and <c>Loopwire:ModelRoutes</c> at start-up.</summary>
internal sealed class BackendOptionsValidator : IValidateOptions<LoopwireServerOptions>
{
    public ValidateOptionsResult Validate(string? name, LoopwireServerOptions options)
    {
        var errors = new List<string>();
        foreach (var (backend, b) in options.Backends)
        {
            string prefix = $"Loopwire:Backends:{backend}";
            if (string.Equals(backend, ModelBackends.SimulatedName, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{prefix}: the name '{ModelBackends.SimulatedName}' is the embedded model; pick another name.");
                continue;
            }

            if (!UpstreamBackendOptions.Types.Contains(b.Type))
            {
                errors.Add($"{prefix}:Type must be one of {string.Join(", ", UpstreamBackendOptions.Types)}, got '{b.Type}'.");
            }

            if (!Uri.TryCreate(b.BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{prefix}:BaseUrl must be an absolute http(s) URL such as http://127.0.0.1:11434/v1, got '{b.BaseUrl}'.");
            }

            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(b, new ValidationContext(b), results, validateAllProperties: true))
            {
                errors.AddRange(results.Select(r => $"{prefix}: {r.ErrorMessage}"));
            }
        }

        foreach (var route in options.ModelRoutes)
        {
            var parsed = ModelBackends.ParseRoute(route);
            if (parsed is null)
            {
                errors.Add($"Loopwire:ModelRoutes: '{route}' is not GLOB=NAME (e.g. 'llama*=chat').");
            }
            else if (!options.Backends.ContainsKey(parsed.Value.Backend)
                && !string.Equals(parsed.Value.Backend, ModelBackends.SimulatedName, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"Loopwire:ModelRoutes: '{route}' names backend '{parsed.Value.Backend}', which is not configured " +
                    $"(known: {string.Join(", ", options.Backends.Keys.Append(ModelBackends.SimulatedName))}).");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
