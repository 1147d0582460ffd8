using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Loopwire.Engine.Backends;

/// <summary>
/// The one retry rule of the upstream backends, as Polly pipelines built from <see cref="UpstreamBackendOptions"/>: at most
/// <see cref="UpstreamBackendOptions.MaxRetries"/> retries of an attempt that got no byte of answer, after
/// <see cref="UpstreamBackendOptions.RetryDelayMilliseconds"/> doubling each time, without jitter.
/// </summary>
/// <remarks>
/// Each caller decides what is transient (<c>retryReason</c> returns why to retry, or null); the backoff, the bound and the
/// retry log are the same for HTTP requests (through <see cref="CreateHttpHandler"/>) and WebSocket connects.
/// </remarks>
internal static class UpstreamResilience
{
    /// <summary>Builds the retry pipeline; empty when <see cref="UpstreamBackendOptions.MaxRetries"/> is 0.</summary>
    public static ResiliencePipeline<T> Retry<T>(string name, UpstreamBackendOptions options, TimeProvider time, ILogger logger,
        Func<Outcome<T>, string?> retryReason)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ResiliencePipelineBuilder<T> { TimeProvider = time };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<T>
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = TimeSpan.FromMilliseconds(options.RetryDelayMilliseconds),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                ShouldHandle = args => ValueTask.FromResult(!args.Context.CancellationToken.IsCancellationRequested && retryReason(args.Outcome) is not null),
                OnRetry = args =>
                {
                    UpstreamLog.Retrying(logger, name, args.AttemptNumber + 1, retryReason(args.Outcome) ?? "a transient failure");
                    return default;
                },
            });
        }

        return builder.Build();
    }

    /// <summary>
    /// The HTTP retry as a <see cref="DelegatingHandler"/> (Microsoft.Extensions.Http.Resilience): connection refused or reset
    /// and 502/503/504 are retried; anything else, and anything once the response headers are read, is not. Polly disposes
    /// a retried response.
    /// </summary>
    public static DelegatingHandler CreateHttpHandler(string name, UpstreamBackendOptions options, TimeProvider time, ILogger logger) =>
        new ResilienceHandler(Retry<HttpResponseMessage>(name, options, time, logger, HttpRetryReason));

    /// <summary>Why an HTTP attempt is worth another one, or null.</summary>
    internal static string? HttpRetryReason(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException ex } when ex.HttpRequestError is HttpRequestError.ConnectionError
            or HttpRequestError.ResponseEnded or HttpRequestError.NameResolutionError => ex.Message,
        { Result.StatusCode: var status } when (int)status is 502 or 503 or 504 => "HTTP " + (int)status,
        _ => null,
    };
}
