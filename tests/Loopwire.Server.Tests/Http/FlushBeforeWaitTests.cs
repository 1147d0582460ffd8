using Loopwire.Server.Http;

namespace Loopwire.Server.Tests.Http;

/// <summary>The send paths' flush before a wait: a failed flush lets the pending MoveNextAsync finish before it goes on.</summary>
public sealed class FlushBeforeWaitTests
{
    [Fact]
    public async Task FlushFails_WaitsForThePendingNext_ThenReportsTheFlushFailure()
    {
        var producer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var flush = ValueTask.FromException(new OperationCanceledException("the connection ended"));

        var step = FlushBeforeWait.NextAsync(new ValueTask<bool>(producer.Task), flush).AsTask();

        Assert.False(step.IsCompleted); // the producer is still inside MoveNextAsync: its enumerator cannot be disposed yet
        producer.SetException(new OperationCanceledException("the producer saw the token"));
        var ex = await Assert.ThrowsAsync<OperationCanceledException>(() => step);
        Assert.Equal("the connection ended", ex.Message);
    }

    [Fact]
    public async Task FlushSucceeds_ReturnsWhatNextReturns()
    {
        var producer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        var step = FlushBeforeWait.NextAsync(new ValueTask<bool>(producer.Task), ValueTask.CompletedTask).AsTask();
        producer.SetResult(true);

        Assert.True(await step);
    }
}
