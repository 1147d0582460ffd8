using System.Net;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Backends.ChatCompletions;
using Microsoft.Extensions.Time.Testing;
using static Loopwire.Engine.Tests.Backends.ScriptedUpstream;

namespace Loopwire.Engine.Tests.Backends;

public sealed class UpstreamResilienceTests
{
    private const string Finished = """{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}""";

    [Theory]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(500, false)]
    [InlineData(429, false)]
    [InlineData(200, false)]
    public void HttpRetryReason_Status_RetriesOnlyGatewayErrors(int status, bool retried)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);

        Assert.Equal(retried, UpstreamResilience.HttpRetryReason(Polly.Outcome.FromResult(response)) is not null);
    }

    [Theory]
    [InlineData(HttpRequestError.ConnectionError, true)]
    [InlineData(HttpRequestError.ResponseEnded, true)]
    [InlineData(HttpRequestError.NameResolutionError, true)]
    [InlineData(HttpRequestError.SecureConnectionError, false)]
    [InlineData(HttpRequestError.InvalidResponse, false)]
    public void HttpRetryReason_RequestError_RetriesOnlyConnectionFailures(HttpRequestError error, bool retried)
    {
        var ex = new HttpRequestException(error, "boom");

        Assert.Equal(retried, UpstreamResilience.HttpRetryReason(Polly.Outcome.FromException<HttpResponseMessage>(ex)) is not null);
    }

    [Fact]
    public async Task StreamAsync_503Twice_BacksOff200ThenDoubledBeforeEachRetry()
    {
        var time = new CountingTimeProvider();
        var second = new TaskCompletionSource();
        var third = new TaskCompletionSource();
        var upstream = new ScriptedUpstream()
            .Then(() => Json(503, "{}"))
            .Then((_, _) =>
            {
                second.TrySetResult();
                return Task.FromResult(Json(503, "{}"));
            })
            .Then((_, _) =>
            {
                third.TrySetResult();
                return Task.FromResult(Sse(Finished, "[DONE]"));
            });
        var options = new UpstreamBackendOptions { BaseUrl = "http://upstream.test/v1" };
        using var client = Client(upstream, options, time);
        using var backend = new ChatCompletionsBackend("chat", options, client, time);

        var run = CollectAsync(backend, Request());
        await WaitForTimersAsync(time, 2);
        time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.False(second.Task.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await second.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await WaitForTimersAsync(time, 3);
        time.Advance(TimeSpan.FromMilliseconds(399));
        Assert.False(third.Task.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var chunks = await run.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.IsType<ModelFinished>(chunks[^1]);
        Assert.Equal(3, upstream.Bodies.Count);
    }

    [Fact]
    public async Task StreamAsync_MaxRetriesZero_FailsOnTheFirst503()
    {
        var upstream = new ScriptedUpstream().Then(() => Json(503, """{"error":{"message":"loading model"}}"""));
        var options = new UpstreamBackendOptions { BaseUrl = "http://upstream.test/v1", MaxRetries = 0 };
        using var client = Client(upstream, options);
        using var backend = new ChatCompletionsBackend("chat", options, client);

        var failed = Assert.IsType<ModelFailed>(Assert.Single(await CollectAsync(backend, Request())));

        Assert.Equal((502, "upstream_error"), (failed.Status, failed.Code));
        Assert.Single(upstream.Bodies);
    }

    [Fact]
    public async Task StreamAsync_503ForEveryAttempt_FailsAfterMaxRetries()
    {
        var upstream = new ScriptedUpstream().Then(() => Json(503, "{}")).Then(() => Json(503, "{}")).Then(() => Json(503, "{}"));
        var options = new UpstreamBackendOptions { BaseUrl = "http://upstream.test/v1", RetryDelayMilliseconds = 0 };
        using var client = Client(upstream, options);
        using var backend = new ChatCompletionsBackend("chat", options, client);

        var failed = Assert.IsType<ModelFailed>(Assert.Single(await CollectAsync(backend, Request())));

        Assert.Equal(502, failed.Status);
        Assert.Equal(3, upstream.Bodies.Count);
    }

    /// <summary>Waits until <paramref name="count"/> timers exist: the call's idle timeout, then one per backoff.</summary>
    private static async Task WaitForTimersAsync(CountingTimeProvider time, int count)
    {
        for (int i = 0; i < 4000 && time.Timers < count; i++)
        {
            await Task.Delay(5);
        }

        Assert.True(time.Timers >= count, $"expected {count} timers, saw {time.Timers}");
    }

    private sealed class CountingTimeProvider : FakeTimeProvider
    {
        private int _timers;

        public int Timers => Volatile.Read(ref _timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _timers);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
