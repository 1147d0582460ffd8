using System.Diagnostics;
using System.Diagnostics.Metrics;
using Loopwire.Server.WebSockets;

namespace Loopwire.Server.Telemetry;

/// <summary>
/// The server's own instruments and spans, next to the engine's: open WebSocket connections (each with a span its
/// responses link to), the <c>response.create</c> messages waiting on them, and upstream requests per backend.
/// </summary>
/// <remarks>Created from the host's <see cref="IMeterFactory"/>, which owns the meter. No measurement carries a tenant. Thread-safe.</remarks>
internal sealed class ServerTelemetry
{
    public const string MeterName = "Loopwire.Server";
    public const string ActivitySourceName = "Loopwire.Server";
    public const string ConnectionsName = "loopwire.websocket.connections";
    public const string QueueDepthName = "loopwire.queue.depth";
    public const string UpstreamDurationName = "loopwire.upstream.request.duration";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    private static readonly double[] UpstreamBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly UpDownCounter<long> _connections;
    private readonly Histogram<double> _upstreamDuration;

    public ServerTelemetry(IMeterFactory meterFactory, WebSocketConnectionRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(registry);
#pragma warning disable CA2000 // The meter factory owns the meters it creates and disposes them with the host.
        var meter = meterFactory.Create(MeterName);
#pragma warning restore CA2000
        _connections = meter.CreateUpDownCounter<long>(ConnectionsName, "{connection}", "Open WebSocket-mode connections.");
        meter.CreateObservableGauge(QueueDepthName, () => registry.Snapshot().Sum(c => (long)c.QueuedRequests), "{request}",
            "response.create messages waiting on WebSocket connections behind the one each is running.");
        _upstreamDuration = meter.CreateHistogram(UpstreamDurationName, "s",
            "Upstream model server requests, per backend: from sending to the response headers (or the WebSocket upgrade).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = UpstreamBuckets });
    }

    /// <summary>Counts an open connection and starts its span; dispose the result when the connection ends.</summary>
    /// <remarks>
    /// The span's parent is the upgrade request's (ASP.NET Core's, from the client's <c>traceparent</c>), or, when the request
    /// is not traced, the <c>traceparent</c>/<c>tracestate</c> headers of the upgrade themselves.
    /// </remarks>
    public ConnectionScope OpenConnection(HttpContext context)
    {
        _connections.Add(1);
        Activity? span = null;
        if (Source.HasListeners())
        {
            var parent = Activity.Current?.Context ?? default;
            if (parent == default
                && ActivityContext.TryParse(context.Request.Headers.TraceParent, context.Request.Headers.TraceState, out var fromHeaders))
            {
                parent = fromHeaders;
            }

            span = Source.StartActivity("websocket /v1/responses", ActivityKind.Internal, parent);
            span?.SetTag("loopwire.transport", "ws");
            span?.SetTag("network.protocol.name", "websocket");
        }

        return new ConnectionScope(this, span);
    }

    /// <summary>Records one upstream request of backend <paramref name="backend"/>.</summary>
    public void UpstreamRequest(string backend, TimeSpan duration, int? statusCode, string? errorType)
    {
        var tags = new TagList { { "loopwire.backend", backend } };
        if (statusCode is { } status)
        {
            tags.Add("http.response.status_code", status);
        }

        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        _upstreamDuration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>One open connection: its span, and its place in <c>loopwire.websocket.connections</c>.</summary>
    internal sealed class ConnectionScope(ServerTelemetry owner, Activity? span) : IDisposable
    {
        private int _disposed;

        /// <summary>The connection's span context; default when it is not traced.</summary>
        public ActivityContext Context => span?.Context ?? default;

        /// <summary>Ends the span with the number of responses the connection streamed.</summary>
        public void Closed(int responses) => span?.SetTag("loopwire.websocket.responses", responses);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                span?.Dispose();
                owner._connections.Add(-1);
            }
        }
    }
}
