using Loopwire.Server.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Loopwire.Server.Telemetry;

/// <summary>
/// What an operator's tools call: <c>GET /healthz</c> (the process is alive), <c>GET /readyz</c> (ready for traffic; 503
/// while starting or draining) and <c>GET /metrics</c> (Prometheus text), optionally on a port of their own.
/// </summary>
/// <remarks>
/// The probes need no API key, are not rate limited and answer one word. <c>/metrics</c> on the main listener sits behind
/// the API key like every other endpoint; on <c>Loopwire:Metrics:Port</c> it needs none, and that port serves nothing else.
/// </remarks>
internal static class OperationalEndpoints
{
    public const string HealthPath = "/healthz";
    public const string ReadyPath = "/readyz";
    public const string MetricsPath = "/metrics";

    /// <summary>Whether the path is a probe or the scrape (not traced, not rate limited).</summary>
    public static bool IsOperational(PathString path) =>
        path.Equals(HealthPath, StringComparison.Ordinal) || path.Equals(ReadyPath, StringComparison.Ordinal)
        || path.Equals(MetricsPath, StringComparison.Ordinal);

    /// <summary>Answers the probes and the separate metrics port; runs before authentication.</summary>
    public static WebApplication UseLoopwireProbes(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<LoopwireServerOptions>>().Value.Metrics;
        var probe = app.Services.GetRequiredService<ReadinessProbe>();
        bool scrapes = options.Enabled && app.Services.GetService<MeterProvider>() is not null;
        int port = options.Port;
        if (scrapes && port > 0)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(null,
                context => context.Connection.LocalPort == port && context.Request.Path.Equals(MetricsPath, StringComparison.Ordinal),
                null, null, null);
        }

        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            {
                if (path.Equals(HealthPath, StringComparison.Ordinal))
                {
                    await WriteAsync(context, 200, "ok");
                    return;
                }

                if (path.Equals(ReadyPath, StringComparison.Ordinal))
                {
                    var reason = await probe.CheckAsync(context.RequestAborted);
                    await WriteAsync(context, reason is null ? 200 : 503, reason is null ? "ready" : "not ready: " + reason);
                    return;
                }
            }

            if (port > 0 && context.Connection.LocalPort == port)
            {
                await WriteAsync(context, 404, "not found");
                return;
            }

            await next(context);
        });
        return app;
    }

    /// <summary>Maps <c>/metrics</c> on the main listener (after authentication), when it is not on a port of its own.</summary>
    public static WebApplication UseLoopwireMetricsEndpoint(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<LoopwireServerOptions>>().Value.Metrics;
        if (options.Enabled && options.Port == 0 && app.Services.GetService<MeterProvider>() is not null)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(MetricsPath);
        }

        return app;
    }

    /// <summary>Adds the separate metrics port to the addresses the server listens on, next to the configured ones.</summary>
    /// <remarks>Kestrel takes the configured URLs only when nothing else was added, so they are added here first.</remarks>
    public static void AddMetricsListener(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<LoopwireServerOptions>>().Value.Metrics;
        if (!options.Enabled || options.Port == 0 || app.Urls.Count > 0)
        {
            return;
        }

        var config = app.Configuration;
        if (config["urls"] is { Length: > 0 } urls)
        {
            foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                app.Urls.Add(url);
            }
        }
        else if (config["http_ports"] is { Length: > 0 } ports)
        {
            foreach (var p in ports.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                app.Urls.Add($"http://*:{p}");
            }
        }
        else
        {
            app.Urls.Add("http://localhost:5000");
        }

        app.Urls.Add($"http://{options.Host}:{options.Port}");
    }

    private static Task WriteAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(text, context.RequestAborted);
    }
}
