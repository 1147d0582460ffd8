using Loopwire.Engine;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Loopwire.Server.Telemetry;

/// <summary>Registers OpenTelemetry: the engine's and the server's meters and activity sources, OTLP and Prometheus.</summary>
/// <remarks>
/// Metrics are collected when <c>Loopwire:Metrics:Enabled</c> (Prometheus) or OTLP is on; traces only when OTLP is on
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>), so a server nobody traces creates no
/// spans. The decision reads the builder's configuration when the host is built.
/// </remarks>
public static class LoopwireTelemetry
{
    /// <summary>The <c>service.name</c> of Loopwire's telemetry unless <c>OTEL_SERVICE_NAME</c> says otherwise.</summary>
    public const string ServiceName = "loopwire";

    /// <summary>The most attribute combinations kept per metric stream. <value>512</value></summary>
    public const int MetricStreamLimit = 512;

    /// <summary>The activity sources a Loopwire trace is made of.</summary>
    public static IReadOnlyList<string> ActivitySources { get; } = [EngineTelemetry.ActivitySourceName, ServerTelemetry.ActivitySourceName];

    /// <summary>The runtime's built-in meter (<c>dotnet.gc.collections</c>, <c>dotnet.process.cpu.time</c>, ...), exported too.</summary>
    public const string RuntimeMeterName = "System.Runtime";

    /// <summary>
    /// The runtime instruments exported: GC collections, bytes allocated, process CPU time, working set, and methods JIT-compiled
    /// (what <c>bench load</c> reads to tell allocation per turn and when a server has finished tiering up its hot code).
    /// </summary>
    public static IReadOnlyList<string> RuntimeInstruments { get; } =
        ["dotnet.gc.collections", "dotnet.gc.heap.total_allocated", "dotnet.process.cpu.time", "dotnet.process.memory.working_set", "dotnet.jit.compiled_methods"];

    /// <summary>The meters of Loopwire's own metrics.</summary>
    public static IReadOnlyList<string> Meters { get; } = [EngineMetrics.MeterName, ServerTelemetry.MeterName];

    /// <summary>Adds OpenTelemetry to the application, as configured.</summary>
    /// <param name="builder">The application builder.</param>
    /// <returns>The builder.</returns>
    public static WebApplicationBuilder AddLoopwireTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var config = builder.Configuration;
        bool otlp = !string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        bool otlpTraces = otlp || !string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]);
        bool otlpMetrics = otlp || !string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"]);
        bool prometheus = config.GetValue("Loopwire:Metrics:Enabled", true);
        if (!prometheus && !otlpMetrics && !otlpTraces)
        {
            return builder;
        }

        var otel = builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService(ServiceName));
        if (prometheus || otlpMetrics)
        {
            otel.WithMetrics(m =>
            {
                // Loopwire's own instruments and the runtime's (GC counts, CPU time, working set: what bench load reads from a
                // remote server), each with a small cardinality limit: the SDK sizes every stream's storage up front, and the
                // attributes are bounded sets (transport, stage, source, backend, 100 models).
                // Of the runtime's instruments only those five (all counters or one gauge): others (dotnet.assembly.count, ...) export as *_count
                // gauges, which Prometheus reserves for histograms and summaries.
                m.AddMeter([.. Meters, RuntimeMeterName]).AddView(i => i.Meter.Name == RuntimeMeterName && !RuntimeInstruments.Contains(i.Name)
                    ? MetricStreamConfiguration.Drop
                    : new MetricStreamConfiguration { CardinalityLimit = MetricStreamLimit });
                if (prometheus)
                {
                    // Every scrape reads the instruments afresh: with the exporter's default 300 ms response cache, two scrapes
                    // around a short measured phase (bench load) returned the same figures.
                    m.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                }

                if (otlpMetrics)
                {
                    m.AddOtlpExporter();
                }
            });
        }

        if (otlpTraces)
        {
            otel.WithTracing(t => ConfigureTracing(t).AddOtlpExporter());
        }

        return builder;
    }

    /// <summary>Adds Loopwire's sources and the ASP.NET Core and HttpClient instrumentation to a tracer provider.</summary>
    /// <remarks>Probes and scrapes (<c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>) are not traced.</remarks>
    /// <param name="tracing">The tracer provider builder.</param>
    /// <returns>The builder.</returns>
    public static TracerProviderBuilder ConfigureTracing(TracerProviderBuilder tracing)
    {
        ArgumentNullException.ThrowIfNull(tracing);
        return tracing
            .AddSource([.. ActivitySources])
            .AddAspNetCoreInstrumentation(o => o.Filter = context => !OperationalEndpoints.IsOperational(context.Request.Path))
            .AddHttpClientInstrumentation();
    }
}
