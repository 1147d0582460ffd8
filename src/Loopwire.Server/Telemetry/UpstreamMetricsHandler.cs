using System.Diagnostics;

namespace Loopwire.Server.Telemetry;

/// <summary>Times each request of one upstream backend's named client into <c>loopwire.upstream.request.duration</c>.</summary>
/// <remarks>
/// Outermost in the client's pipeline, so one measurement covers the retries of one request. A streamed response is
/// timed to its headers; the stream itself is the <c>backend</c> span.
/// </remarks>
internal sealed class UpstreamMetricsHandler(string backend, ServerTelemetry telemetry) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            telemetry.UpstreamRequest(backend, Stopwatch.GetElapsedTime(start), (int)response.StatusCode,
                response.IsSuccessStatusCode || (int)response.StatusCode == 101 ? null : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return response;
        }
        catch (Exception ex)
        {
            telemetry.UpstreamRequest(backend, Stopwatch.GetElapsedTime(start), null,
                ex is OperationCanceledException ? "cancelled" : ex.GetType().Name);
            throw;
        }
    }
}
