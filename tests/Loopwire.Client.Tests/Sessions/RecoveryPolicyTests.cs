using System.Net.WebSockets;
using Loopwire.Client.Sessions;
using Loopwire.Protocol.Errors;
using Loopwire.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace Loopwire.Client.Tests.Sessions;

public sealed class RecoveryPolicyTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    [Theory]
    [InlineData(ErrorCodes.PreviousResponseNotFound, true, nameof(RecoveryAction.Replay))]
    [InlineData(ErrorCodes.PreviousResponseNotFound, false, nameof(RecoveryAction.Fail))]
    [InlineData(ErrorCodes.WebSocketConnectionLimitReached, true, nameof(RecoveryAction.Reconnect))]
    [InlineData(ErrorCodes.WebSocketConnectionLimitReached, false, nameof(RecoveryAction.Reconnect))]
    [InlineData(ErrorCodes.ServerShuttingDown, false, nameof(RecoveryAction.Reconnect))]
    [InlineData(ErrorCodes.InvalidValue, true, nameof(RecoveryAction.Fail))]
    [InlineData(ErrorCodes.ContextLengthExceeded, false, nameof(RecoveryAction.Fail))]
    [InlineData(null, false, nameof(RecoveryAction.Fail))]
    public void Classify_ApiError_ByCode(string? code, bool sentPrevious, string expected)
    {
        var error = new ResponsesApiException(400, ErrorTypes.InvalidRequest, code, null, "refused by the test");

        Assert.Equal(Enum.Parse<RecoveryAction>(expected), RecoveryPolicy.Classify(error, sentPrevious, rawContinuation: false));
    }

    [Theory]
    [InlineData(502, null, nameof(RecoveryAction.Reconnect))]
    [InlineData(503, null, nameof(RecoveryAction.Reconnect))]
    [InlineData(504, null, nameof(RecoveryAction.Reconnect))]
    [InlineData(502, ErrorCodes.InvalidValue, nameof(RecoveryAction.Fail))]
    [InlineData(500, null, nameof(RecoveryAction.Fail))]
    public void Classify_GatewayErrorWithoutCode_Reconnects(int status, string? code, string expected)
    {
        var error = new ResponsesApiException(status, null, code, null, "HTTP 502: <html>bad gateway</html>");

        Assert.Equal(Enum.Parse<RecoveryAction>(expected), RecoveryPolicy.Classify(error, sentPreviousResponseId: true, rawContinuation: false));
    }

    public static TheoryData<Exception> ConnectionFailures() =>
    [
        new ResponsesConnectionException("dropped by the test"),
        new WebSocketException(WebSocketError.ConnectionClosedPrematurely),
        new HttpRequestException("refused by the test"),
        new IOException("reset by the test"),
    ];

    [Theory]
    [MemberData(nameof(ConnectionFailures))]
    public void Classify_ConnectionFailure_Reconnects(Exception failure)
    {
        Assert.True(RecoveryPolicy.IsRecoverable(failure));
        Assert.Equal(RecoveryAction.Reconnect, RecoveryPolicy.Classify(failure, sentPreviousResponseId: true, rawContinuation: false));
    }

    [Fact]
    public void Classify_RawContinuation_FailsWhateverTheError()
    {
        var notFound = new ResponsesApiException(400, ErrorTypes.InvalidRequest, ErrorCodes.PreviousResponseNotFound, null, "gone");

        Assert.Equal(RecoveryAction.Fail, RecoveryPolicy.Classify(notFound, true, rawContinuation: true));
        Assert.Equal(RecoveryAction.Fail, RecoveryPolicy.Classify(new ResponsesConnectionException("dropped"), true, rawContinuation: true));
    }

    [Fact]
    public void IsRecoverable_ProgrammerErrorOrCancellation_False()
    {
        Assert.False(RecoveryPolicy.IsRecoverable(new InvalidOperationException()));
        Assert.False(RecoveryPolicy.IsRecoverable(new OperationCanceledException()));
    }

    [Theory]
    [InlineData(0, false, nameof(RecoveryAction.Reconnect))]
    [InlineData(1, false, nameof(RecoveryAction.Reconnect))]
    [InlineData(2, false, nameof(RecoveryAction.Fail))]
    [InlineData(0, true, nameof(RecoveryAction.Fail))]
    public void Decide_ReplayBudgetAndSurfacedEvents_FailWhenSpentOrSurfaced(int attempt, bool surfaced, string expected)
    {
        var policy = Policy(maxReplays: 2, maxConnectAttempts: 4, new FakeTimeProvider());

        Assert.Equal(Enum.Parse<RecoveryAction>(expected), policy.Decide(new ResponsesConnectionException("dropped"), false, false, attempt, surfaced));
    }

    [Fact]
    public async Task ConnectPipeline_ConnectFailsTwice_RetriesAfterBackoffOnTheSessionClock()
    {
        var time = new FakeTimeProvider();
        var policy = Policy(maxReplays: 2, maxConnectAttempts: 4, time);
        var start = time.GetUtcNow();
        int attempts = 0;

        int result = await time.AdvanceUntilDoneAsync(policy.ConnectPipeline.ExecuteAsync(_ =>
            ++attempts < 3 ? ValueTask.FromException<int>(new ResponsesConnectionException("refused by the test")) : ValueTask.FromResult(attempts))
            .AsTask(), Step);

        Assert.Equal(3, result);
        Assert.True(time.GetUtcNow() > start);
    }

    [Fact]
    public async Task ConnectPipeline_ConnectAlwaysFails_ThrowsAfterMaxAttempts()
    {
        var time = new FakeTimeProvider();
        var policy = Policy(maxReplays: 2, maxConnectAttempts: 3, time);
        int attempts = 0;

        await Assert.ThrowsAsync<ResponsesConnectionException>(() => time.AdvanceUntilDoneAsync(policy.ConnectPipeline.ExecuteAsync(_ =>
        {
            attempts++;
            return ValueTask.FromException<int>(new ResponsesConnectionException("refused by the test"));
        }).AsTask(), Step));
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task ConnectPipeline_SingleAttempt_DoesNotRetry()
    {
        var policy = Policy(maxReplays: 2, maxConnectAttempts: 1, new FakeTimeProvider());
        int attempts = 0;

        await Assert.ThrowsAsync<ResponsesConnectionException>(() => policy.ConnectPipeline.ExecuteAsync(_ =>
        {
            attempts++;
            return ValueTask.FromException<int>(new ResponsesConnectionException("refused by the test"));
        }).AsTask());
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task ConnectPipeline_ServerRefusesUpgrade_DoesNotRetry()
    {
        var policy = Policy(maxReplays: 2, maxConnectAttempts: 4, new FakeTimeProvider());
        int attempts = 0;

        await Assert.ThrowsAsync<ResponsesApiException>(() => policy.ConnectPipeline.ExecuteAsync(_ =>
        {
            attempts++;
            return ValueTask.FromException<int>(new ResponsesApiException(401, ErrorTypes.InvalidRequest, null, null, "no key"));
        }).AsTask());
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task ConnectPipeline_ManyFailures_DelaysCappedAtMaxDelay()
    {
        var time = new FakeTimeProvider();
        var maxDelay = TimeSpan.FromSeconds(1);
        var policy = new RecoveryPolicy(2, maxConnectAttempts: 8, TimeSpan.FromMilliseconds(500), maxDelay, time);
        var attemptsAt = new List<DateTimeOffset>();

        await Assert.ThrowsAsync<ResponsesConnectionException>(() => time.AdvanceUntilDoneAsync(policy.ConnectPipeline.ExecuteAsync(_ =>
        {
            attemptsAt.Add(time.GetUtcNow());
            return ValueTask.FromException<int>(new ResponsesConnectionException("refused by the test"));
        }).AsTask(), Step));

        Assert.Equal(8, attemptsAt.Count);
        for (int i = 1; i < attemptsAt.Count; i++)
        {
            var gap = attemptsAt[i] - attemptsAt[i - 1];
            Assert.InRange(gap, TimeSpan.Zero, maxDelay + Step);
        }
    }

    private static RecoveryPolicy Policy(int maxReplays, int maxConnectAttempts, TimeProvider time) =>
        new(maxReplays, maxConnectAttempts, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), time);
}
