using System.Globalization;
using System.Threading.RateLimiting;
using Loopwire.Protocol.Errors;
using Loopwire.Server.Hosting;
using Loopwire.Server.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.Limits;

/// <summary>The request rate limit: a fixed window per tenant (or remote IP), 429 in the OpenAI error shape with <c>Retry-After</c>.</summary>
internal static class RequestRateLimiting
{
    public static IServiceCollection AddLoopwireRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<LoopwireServerOptions>>((o, server) =>
        {
            var limits = server.Value.Limits;
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                limits.RequestsPerWindow <= 0 || limits.RateLimitWindow <= TimeSpan.Zero
                    ? RateLimitPartition.GetNoLimiter("off")
                    : RateLimitPartition.GetFixedWindowLimiter(TenantLimits.PartitionOf(context), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = limits.RequestsPerWindow,
                        Window = limits.RateLimitWindow,
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            o.OnRejected = async (rejected, ct) =>
            {
                var context = rejected.HttpContext;
                string retry = "";
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan after))
                {
                    int seconds = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds));
                    context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                    retry = $" Retry after {seconds} s.";
                }

                await HttpIo.WriteErrorAsync(context, new ProtocolError(429, ErrorTypes.Requests, ErrorCodes.RateLimitExceeded,
                    $"Rate limit reached: {limits.RequestsPerWindow} requests per {limits.RateLimitWindow.TotalSeconds:0.##} s for this tenant " +
                    $"(Loopwire:Limits:RequestsPerWindow, Loopwire:Limits:RateLimitWindow).{retry}", null));
            };
        });
        return services;
    }
}
