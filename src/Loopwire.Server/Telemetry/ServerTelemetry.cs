using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Loopwire.Server.Telemetry;

/// <summary>The server's own instruments and spans (WebSocket connections), next to the engine's.</summary>
/// <remarks>Created from the host's <see cref="IMeterFactory"/>, which owns the meter. Thread-safe.</remarks>
internal sealed class ServerTelemetry
{
    public const string MeterName = "Loopwire.Server";
    public const string ActivitySourceName = "Loopwire.Server";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    public ServerTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
    }

    /// <summary>The server's meter.</summary>
    public Meter Meter { get; }
}
