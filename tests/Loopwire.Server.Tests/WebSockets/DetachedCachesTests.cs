using Loopwire.Engine.Context;
using Loopwire.Engine.Rendering;
using Loopwire.Server.Hosting;
using Loopwire.Server.WebSockets;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Loopwire.Server.Tests.WebSockets;

public sealed class DetachedCachesTests
{
    private static DetachedCaches Create(FakeTimeProvider time, int seconds = 60, long maxBytes = 1_000_000) =>
        new(Options.Create(new LoopwireServerOptions
        {
            WebSocket = new WebSocketModeOptions { DetachedCacheSeconds = seconds, MaxDetachedCacheBytesPerTenant = maxBytes },
        }), time);

    private static ConversationState State(string id, int tokens = 100)
    {
        var state = new ConversationState { ResponseId = id, Rendered = new RenderedContext([]) };
        state.AddBytes(tokens * 8L);
        return state;
    }

    [Fact]
    public void TakeOver_SameTenantWithinGrace_ReturnsStateOnce()
    {
        var time = new FakeTimeProvider();
        using var caches = Create(time);
        var state = State("resp_1");
        Assert.True(caches.Detach("a", state));

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Null(caches.TryTakeOver("b", "resp_1"));
        Assert.Same(state, caches.TryTakeOver("a", "resp_1"));
        Assert.Null(caches.TryTakeOver("a", "resp_1"));
    }

    [Fact]
    public async Task WaitForDetaching_ReconnectOutrunsTheDroppedConnection_TakesOverOnceItDetached()
    {
        var time = new FakeTimeProvider();
        using var caches = Create(time);
        var state = State("resp_1");
        var handle = caches.BeginDetach("a");
        Assert.Null(caches.TryTakeOver("a", "resp_1"));

        var wait = caches.WaitForDetachingAsync("a", CancellationToken.None);
        Assert.False(wait.IsCompleted);
        Assert.False(await caches.WaitForDetachingAsync("b", CancellationToken.None));
        caches.Detach("a", state);
        handle!.Dispose();

        Assert.True(await wait);
        Assert.Same(state, caches.TryTakeOver("a", "resp_1"));
        Assert.False(await caches.WaitForDetachingAsync("a", CancellationToken.None));
    }

    [Fact]
    public async Task WaitForDetaching_DroppedConnectionNeverFinishes_GivesUpAfterTheBound()
    {
        var time = new FakeTimeProvider();
        using var caches = Create(time);
        using var handle = caches.BeginDetach("a");

        var wait = caches.WaitForDetachingAsync("a", CancellationToken.None);
        time.Advance(DetachedCaches.DetachWait);

        Assert.True(await wait);
        Assert.Null(caches.TryTakeOver("a", "resp_1"));
    }

    [Fact]
    public async Task WaitForHolder_ReconnectOutrunsTheDropBeingSeen_TakesOverOnceTheOldConnectionHandedOver()
    {
        var time = new FakeTimeProvider();
        using var caches = Create(time);
        var state = State("resp_1");
        var old = caches.Attach("a", id => id == "resp_1");
        using var reconnect = caches.Attach("a", _ => false);

        var wait = reconnect.WaitForHolderAsync("a", "resp_1", CancellationToken.None);
        Assert.False(wait.IsCompleted);
        Assert.False(await reconnect.WaitForHolderAsync("a", "resp_2", CancellationToken.None));
        Assert.False(await reconnect.WaitForHolderAsync("b", "resp_1", CancellationToken.None));

        // The old connection notices its drop: it hands its cache over, then leaves.
        caches.Detach("a", state);
        old.Dispose();

        Assert.True(await wait);
        Assert.Same(state, reconnect.TryTakeOver("a", "resp_1"));
        Assert.False(await reconnect.WaitForHolderAsync("a", "resp_1", CancellationToken.None));
    }

    [Fact]
    public async Task WaitForHolder_TheAskingConnectionHoldsIt_DoesNotWaitForItself()
    {
        var time = new FakeTimeProvider();
        using var caches = Create(time);
        using var self = caches.Attach("a", id => id == "resp_1");

        Assert.False(await self.WaitForHolderAsync("a", "resp_1", CancellationToken.None));
    }

    [Fact]
    public async Task WaitForHolder_HolderStaysOpen_GivesUpAfterTheBound()
    {
        var time = new FakeTimeProvider();
        using var caches = Create(time);
        using var alive = caches.Attach("a", id => id == "resp_1");

        var wait = caches.WaitForHolderAsync("a", "resp_1", CancellationToken.None);
        Assert.False(wait.IsCompleted);
        time.Advance(DetachedCaches.DetachWait);

        Assert.True(await wait);
        Assert.Null(caches.TryTakeOver("a", "resp_1"));
    }

    [Fact]
    public void TakeOver_AfterGrace_FindsNothing()
    {
        var time = new FakeTimeProvider();
        using var caches = Create(time, seconds: 60);
        caches.Detach(null, State("resp_1"));

        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Null(caches.TryTakeOver(null, "resp_1"));
        Assert.Equal(0, caches.Count);
    }

    [Fact]
    public void Detach_ZeroSeconds_KeepsNothing()
    {
        var time = new FakeTimeProvider();
        using var caches = Create(time, seconds: 0);

        Assert.False(caches.Detach(null, State("resp_1")));
        Assert.Null(caches.TryTakeOver(null, "resp_1"));
    }

    [Fact]
    public void Detach_OverTenantBytes_DropsTheOldest()
    {
        var time = new FakeTimeProvider();
        using var caches = Create(time, maxBytes: 2_000);
        caches.Detach("a", State("resp_1", tokens: 100));
        time.Advance(TimeSpan.FromSeconds(1));
        caches.Detach("a", State("resp_2", tokens: 100));
        time.Advance(TimeSpan.FromSeconds(1));
        caches.Detach("a", State("resp_3", tokens: 100));
        caches.Detach("b", State("resp_4", tokens: 100));

        Assert.True(caches.TenantBytes("a") <= 2_000);
        Assert.Null(caches.TryTakeOver("a", "resp_1"));
        Assert.NotNull(caches.TryTakeOver("a", "resp_3"));
        Assert.NotNull(caches.TryTakeOver("b", "resp_4"));
        Assert.False(caches.Detach("a", State("resp_big", tokens: 1_000)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(86_401)]
    public void Validator_OutOfRange_NamesTheKey(int seconds)
    {
        var result = new DetachedCacheOptionsValidator().Validate(null, new LoopwireServerOptions
        {
            WebSocket = new WebSocketModeOptions { DetachedCacheSeconds = seconds },
        });

        Assert.True(result.Failed);
        Assert.Contains("Loopwire:WebSocket:DetachedCacheSeconds", result.FailureMessage, StringComparison.Ordinal);
    }
}
