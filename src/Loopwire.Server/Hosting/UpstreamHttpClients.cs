using System.Net;
using Loopwire.Engine.Backends;
using Microsoft.Extensions.Http;
using Loopwire.Server.Telemetry;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.Hosting;

/// <summary>
/// One named <see cref="HttpClient"/> per <c>Loopwire:Backends:NAME</c> from <see cref="IHttpClientFactory"/>: the
/// connection settings of the upstream, and (except for <c>responses-ws</c>, whose connects retry in the backend) the
/// retry handler built from its options.
/// </summary>
internal static class UpstreamHttpClients
{
    /// <summary>The prefix of the named clients; the rest is the backend name.</summary>
    public const string NamePrefix = "Loopwire.Upstream.";

    /// <summary>The named client of a backend.</summary>
    public static string ClientName(string backend) => NamePrefix + backend;

    /// <summary>Registers the factory and the per-backend configuration of its named clients.</summary>
    public static IServiceCollection AddUpstreamHttpClients(this IServiceCollection services)
    {
        services.AddHttpClient();
        services.AddSingleton<IConfigureOptions<HttpClientFactoryOptions>, UpstreamHttpClientSetup>();

        // The factory logs every request at Information; the backends log failures and retries themselves.
        services.Configure<LoggerFilterOptions>(o => o.AddFilter("System.Net.Http.HttpClient." + NamePrefix.TrimEnd('.'), LogLevel.Warning));
        return services;
    }
}

/// <summary>Configures the named client of each configured upstream backend.</summary>
internal sealed class UpstreamHttpClientSetup(IOptions<LoopwireServerOptions> server, TimeProvider time, ILoggerFactory loggers,
    ServerTelemetry telemetry)
    : IConfigureNamedOptions<HttpClientFactoryOptions>
{
    public void Configure(HttpClientFactoryOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, HttpClientFactoryOptions options)
    {
        if (name is null || !name.StartsWith(UpstreamHttpClients.NamePrefix, StringComparison.Ordinal))
        {
            return;
        }

        string backendName = name[UpstreamHttpClients.NamePrefix.Length..];
        if (!server.Value.Backends.TryGetValue(backendName, out var backend))
        {
            return;
        }

        // The backends hold their client for the server's lifetime; connections are recycled by PooledConnectionLifetime.
        options.HandlerLifetime = Timeout.InfiniteTimeSpan;
        options.HttpClientActions.Add(client => client.Timeout = Timeout.InfiniteTimeSpan);
        options.HttpMessageHandlerBuilderActions.Add(builder =>
        {
            builder.PrimaryHandler = new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = TimeSpan.FromSeconds(Math.Min(backend.TimeoutSeconds, 30)),
                // An abandoned stream closes its connection at once instead of being drained: the upstream must see the abort.
                MaxResponseDrainSize = 0,
                AutomaticDecompression = DecompressionMethods.All,
            };
            builder.AdditionalHandlers.Add(new UpstreamMetricsHandler(backendName, telemetry));
            if (backend.Type != UpstreamBackendOptions.ResponsesWebSocketType)
            {
                builder.AdditionalHandlers.Add(UpstreamResilience.CreateHttpHandler(backendName, backend, time,
                    loggers.CreateLogger(UpstreamHttpClients.ClientName(backendName))));
            }
        });
    }
}
