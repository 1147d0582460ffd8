using Loopwire.Protocol.Errors;
using Loopwire.Server.Hosting;
using Loopwire.Server.Http;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.Limits;

/// <summary>Counts open WebSocket connections and responses in flight per tenant (see <see cref="LimitsOptions"/>).</summary>
internal sealed class TenantLimits(IOptions<LoopwireServerOptions> options)
{
    private readonly LimitsOptions _options = options.Value.Limits;
    private readonly Dictionary<string, int> _connections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _responses = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _responsesInFlight;

    /// <summary>The partition of a request: its tenant, else its remote address.</summary>
    public static string PartitionOf(HttpContext context) =>
        ResponsesEndpoints.TenantOf(context) is { } tenant
            ? "tenant:" + tenant
            : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    public static ProtocolError TooManyConnections(int limit) => new(429, ErrorTypes.Requests, ErrorCodes.RateLimitExceeded,
        $"Too many open WebSocket connections for this tenant: the limit is {limit} (Loopwire:Limits:MaxWebSocketConnectionsPerTenant). " +
        "Close one or wait.", null);

    public static ProtocolError TooManyResponses(int limit) => new(429, ErrorTypes.Requests, ErrorCodes.RateLimitExceeded,
        $"Too many responses in flight for this tenant: the limit is {limit} (Loopwire:Limits:MaxResponsesInFlightPerTenant). " +
        "Retry when one has finished.", null);

    /// <summary>The number of open connections of a partition (tests and stats).</summary>
    public int ConnectionsOf(string partition)
    {
        lock (_gate)
        {
            return _connections.GetValueOrDefault(partition);
        }
    }

    /// <summary>A slot for one WebSocket connection, or null when the partition is at its limit.</summary>
    public IDisposable? TryAcquireConnection(string partition) =>
        TryAcquire(_connections, partition, _options.MaxWebSocketConnectionsPerTenant);

    /// <summary>A slot for one response in flight, or null when the partition is at its limit.</summary>
    public IDisposable? TryAcquireResponse(string partition) =>
        TryAcquire(_responses, partition, _options.MaxResponsesInFlightPerTenant);

    public int MaxConnections => _options.MaxWebSocketConnectionsPerTenant;

    public int MaxResponses => _options.MaxResponsesInFlightPerTenant;

    /// <summary>Responses in flight over all tenants (HTTP, WebSocket and gRPC turns holding a slot).</summary>
    public int ResponsesInFlight => Volatile.Read(ref _responsesInFlight);

    private Lease? TryAcquire(Dictionary<string, int> counts, string partition, int limit)
    {
        lock (_gate)
        {
            int n = counts.GetValueOrDefault(partition);
            if (n >= limit)
            {
                return null;
            }

            counts[partition] = n + 1;
            if (ReferenceEquals(counts, _responses))
            {
                _responsesInFlight++;
            }
        }

        return new Lease(this, counts, partition);
    }

    private void Release(Dictionary<string, int> counts, string partition)
    {
        lock (_gate)
        {
            if (ReferenceEquals(counts, _responses))
            {
                _responsesInFlight--;
            }

            int n = counts.GetValueOrDefault(partition) - 1;
            if (n <= 0)
            {
                counts.Remove(partition);
            }
            else
            {
                counts[partition] = n;
            }
        }
    }

    private sealed class Lease(TenantLimits owner, Dictionary<string, int> counts, string partition) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(counts, partition);
            }
        }
    }
}
