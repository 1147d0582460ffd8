using Loopwire.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.Telemetry;

/// <summary>What traces and metrics may carry (<c>Loopwire:Telemetry</c>).</summary>
/// <remarks>
/// Traces are exported over OTLP when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or
/// <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>) is set, configured by the other standard <c>OTEL_*</c> variables.
/// </remarks>
public sealed class TelemetryOptions
{
    /// <summary>
    /// Whether spans and <c>gen_ai.server.request.duration</c> carry the caller's tenant as <c>loopwire.tenant</c>.
    /// Telemetry never carries prompt or output text. <value>false</value>
    /// </summary>
    public bool RecordTenant { get; set; }
}

/// <summary>The Prometheus endpoint (<c>Loopwire:Metrics</c>).</summary>
public sealed class MetricsOptions
{
    /// <summary>Whether <c>GET /metrics</c> serves the Prometheus text format. <value>true</value></summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// A separate port for <c>/metrics</c> (with <c>/healthz</c> and <c>/readyz</c>, nothing else, no API key), for operators
    /// who keep metrics off the public listener; 0 serves <c>/metrics</c> on the main listener, behind the API key. <value>0</value>
    /// </summary>
    public int Port { get; set; }

    /// <summary>The address the separate <see cref="Port"/> binds (<c>*</c>: every interface). <value>*</value></summary>
    public string Host { get; set; } = "*";
}

/// <summary>Checks <c>Loopwire:Metrics</c> and <c>Loopwire:LogFormat</c> at startup.</summary>
internal sealed class TelemetryOptionsValidator : IValidateOptions<LoopwireServerOptions>
{
    public ValidateOptionsResult Validate(string? name, LoopwireServerOptions options)
    {
        var errors = new List<string>();
        if (options.Metrics.Port is < 0 or > 65535)
        {
            errors.Add($"Loopwire:Metrics:Port must be a TCP port (1-65535) or 0 for the main listener, got {options.Metrics.Port}.");
        }

        if (string.IsNullOrWhiteSpace(options.Metrics.Host))
        {
            errors.Add("Loopwire:Metrics:Host must name an address, or '*' for every interface.");
        }

        if (options.LogFormat is not (LoopwireLogging.Text or LoopwireLogging.Json))
        {
            errors.Add($"Loopwire:LogFormat must be '{LoopwireLogging.Text}' or '{LoopwireLogging.Json}', got '{options.LogFormat}'.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
