using System.Net.WebSockets;
using Loopwire.Protocol.Errors;
using Polly;
using Polly.Retry;

namespace Loopwire.Client.Sessions;

/// <summary>What a turn does after a failed attempt.</summary>
internal enum RecoveryAction
{
    /// <summary>Give up: the turn throws the failure.</summary>
    Fail,

    /// <summary>Re-send the full conversation on the same connection.</summary>
    Replay,

    /// <summary>Open a new connection, then re-send the full conversation.</summary>
    Reconnect,
}

/// <summary>
/// Decides how a turn recovers from a failed attempt, and opens connections with exponential backoff and jitter.
/// </summary>
/// <remarks>
/// The replay decision is ours (the server lost the chain, or the connection is gone); the backoff between connect
/// attempts is a Polly retry pipeline built once from <see cref="ResponseSessionOptions.MaxConnectAttempts"/>,
/// <see cref="ResponseSessionOptions.ReconnectBaseDelay"/> and <see cref="ResponseSessionOptions.ReconnectMaxDelay"/>,
/// on the session's <see cref="TimeProvider"/>. Stateless and safe to share.
/// </remarks>
internal sealed class RecoveryPolicy
{
    private readonly int _maxReplays;

    public RecoveryPolicy(int maxReplays, int maxConnectAttempts, TimeSpan baseDelay, TimeSpan maxDelay, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _maxReplays = maxReplays;
        ConnectPipeline = maxConnectAttempts <= 1
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder { TimeProvider = timeProvider }
                .AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = new PredicateBuilder().Handle<ResponsesConnectionException>(),
                    MaxRetryAttempts = maxConnectAttempts - 1,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = baseDelay,
                    MaxDelay = maxDelay,
                })
                .Build();
    }

    /// <summary>Retries a failed connect (<see cref="ResponsesConnectionException"/>) with backoff; other failures pass through.</summary>
    public ResiliencePipeline ConnectPipeline { get; }

    public static RecoveryPolicy From(ResponseSessionOptions options) =>
        new(options.MaxReplays, options.MaxConnectAttempts, options.ReconnectBaseDelay, options.ReconnectMaxDelay, options.TimeProvider);

    /// <summary>Whether a failure while streaming an attempt may be recovered from (otherwise it is a bug and propagates).</summary>
    public static bool IsRecoverable(Exception exception) =>
        exception is ResponsesApiException or ResponsesConnectionException or WebSocketException or HttpRequestException or IOException;

    /// <summary>Classifies a failure by itself, without the attempt budget.</summary>
    /// <param name="failure">The exception, or the error event turned into a <see cref="ResponsesApiException"/>.</param>
    /// <param name="sentPreviousResponseId">Whether the failed request was a continuation.</param>
    /// <param name="rawContinuation">Whether the caller named the previous response itself (nothing to replay).</param>
    public static RecoveryAction Classify(Exception failure, bool sentPreviousResponseId, bool rawContinuation) => failure switch
    {
        _ when rawContinuation => RecoveryAction.Fail,
        ResponsesApiException { Code: ErrorCodes.PreviousResponseNotFound } when sentPreviousResponseId => RecoveryAction.Replay,
        ResponsesApiException { Code: ErrorCodes.WebSocketConnectionLimitReached or ErrorCodes.ServerShuttingDown } => RecoveryAction.Reconnect,
        // A gateway's own error page (no error code): a load balancer whose node died while it held the request.
        ResponsesApiException { Status: 502 or 503 or 504, Code: null } => RecoveryAction.Reconnect,
        ResponsesApiException => RecoveryAction.Fail,
        _ => RecoveryAction.Reconnect,
    };

    /// <summary>Decides what follows failed attempt number <paramref name="attempt"/> (from 0).</summary>
    /// <param name="failure">What went wrong.</param>
    /// <param name="sentPreviousResponseId">Whether the failed request was a continuation.</param>
    /// <param name="rawContinuation">Whether the caller named the previous response itself.</param>
    /// <param name="attempt">The failed attempt's number; after <c>MaxReplays</c> replays the turn fails.</param>
    /// <param name="surfaced">Whether events of the turn already reached the caller (a replay would duplicate them).</param>
    public RecoveryAction Decide(Exception failure, bool sentPreviousResponseId, bool rawContinuation, int attempt, bool surfaced)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return surfaced || attempt >= _maxReplays ? RecoveryAction.Fail : Classify(failure, sentPreviousResponseId, rawContinuation);
    }
}
