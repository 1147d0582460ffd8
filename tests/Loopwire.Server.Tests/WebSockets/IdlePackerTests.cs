using Loopwire.Engine.Context;
using Loopwire.Engine.Rendering;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Items;
using Loopwire.Server.Hosting;
using Loopwire.Server.WebSockets;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Loopwire.Server.Tests.WebSockets;

/// <summary>The packer's scheduling: one timer, serialised with the lane's turns (fake clock, no real waits).</summary>
public sealed class IdlePackerTests
{
    private static readonly TimeSpan After = TimeSpan.FromSeconds(5);

    private static IdlePacker Packer(FakeTimeProvider time, TimeSpan? after = null) =>
        new(Options.Create(new LoopwireServerOptions { WebSocket = new WebSocketModeOptions { PackIdleAfter = after ?? After } }), time);

    private static ConversationState State(string id)
    {
        var state = new ConversationState { ResponseId = id, Rendered = new RenderedContext([1, 2, 3]) };
        foreach (var text in new[] { "Hello there.", "General Kenobi." })
        {
            state.Add(new MessageItem { Role = "user", Content = MessageContent.FromText(text) });
            state.Rendered.Append([.. text.Select(c => (int)c)]);
            state.AddBytes(96 + text.Length * 8L);
        }

        return state;
    }

    /// <summary>A lane that just ended a turn with <paramref name="state"/> cached (marked idle, which queues it).</summary>
    private static LaneContextSource IdleLane(LaneCaches caches, ConversationState state)
    {
        var lane = caches.Add(new MemoryResponseStore(), null);
        caches.SetBusy(lane, true);
        lane.Own.OnCompleted(state);
        caches.SetBusy(lane, false);
        return lane;
    }

    [Fact]
    public void IdleLane_AfterIdleTime_PackedOnce()
    {
        var time = new FakeTimeProvider();
        using var packer = Packer(time);
        var caches = new LaneCaches(1 << 20, packer);
        var state = State("resp_1");
        long bytes = state.ApproximateBytes;
        IdleLane(caches, state);

        time.Advance(After - TimeSpan.FromSeconds(1));
        Assert.False(state.IsPacked);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(state.IsPacked);
        Assert.Equal(1, packer.Packed);
        Assert.Equal(0, packer.Queued);
        Assert.Equal(state.ApproximateBytes, caches.CachedBytes);
        Assert.NotEqual(bytes, caches.CachedBytes);

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, packer.Packed);
    }

    [Fact]
    public void TurnRunningWhenPackIsDue_NotPacked_ThenPackedOnceIdleAgain()
    {
        var time = new FakeTimeProvider();
        using var packer = Packer(time);
        var caches = new LaneCaches(1 << 20, packer);
        var state = State("resp_1");
        var lane = IdleLane(caches, state);

        // A turn starts on the lane just before the pack is due and is still running when it is due.
        time.Advance(After - TimeSpan.FromMilliseconds(1));
        caches.SetBusy(lane, true);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(state.IsPacked);
        Assert.Equal(0, packer.Packed);
        Assert.Equal(2, state.Items.Count);

        // The pack due exactly now is refused while busy, even when asked directly.
        packer.Tick();
        lane.PackIfIdle();
        Assert.False(state.IsPacked);

        caches.SetBusy(lane, false);
        time.Advance(After + TimeSpan.FromSeconds(2));
        Assert.True(state.IsPacked);
    }

    [Fact]
    public void LaneUsedAgainBeforeDue_PackWaitsForTheNewIdleTime()
    {
        var time = new FakeTimeProvider();
        using var packer = Packer(time);
        var caches = new LaneCaches(1 << 20, packer);
        var state = State("resp_1");
        var lane = IdleLane(caches, state);

        time.Advance(TimeSpan.FromSeconds(4));
        caches.SetBusy(lane, true);
        caches.SetBusy(lane, false);
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.False(state.IsPacked);
        Assert.Equal(1, packer.Queued);

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.True(state.IsPacked);
    }

    [Fact]
    public void ForkOfPackedLane_UnpacksAndRequeuesIt()
    {
        var time = new FakeTimeProvider();
        using var packer = Packer(time);
        var caches = new LaneCaches(1 << 20, packer);
        var state = State("resp_1");
        IdleLane(caches, state);
        var other = caches.Add(new MemoryResponseStore(), null);
        time.Advance(After + TimeSpan.FromSeconds(2));
        Assert.True(state.IsPacked);

        var fork = caches.TryFork("resp_1", other);
        Assert.NotNull(fork);
        Assert.False(state.IsPacked);
        Assert.Equal(2, fork.Items.Count);
        Assert.Equal(state.Rendered!.Items.Select(t => t.ToArray()), fork.Rendered!.Items);

        time.Advance(After + TimeSpan.FromSeconds(2));
        Assert.True(state.IsPacked);
        Assert.Equal(2, packer.Packed);
    }

    [Theory, InlineData(true), InlineData(false)]
    public void PackedEnough_MemoryGivenBackAtMostOncePerInterval(bool release)
    {
        var time = new FakeTimeProvider();
        using var packer = new IdlePacker(Options.Create(new LoopwireServerOptions
        {
            WebSocket = new WebSocketModeOptions { PackIdleAfter = After, ReleaseMemoryAfterPacking = release },
        }), time)
        { ReleaseThresholdBytes = 1 };
        var caches = new LaneCaches(1 << 20, packer);
        IdleLane(caches, State("resp_1"));
        var other = IdleLane(caches, State("resp_2"));

        time.Advance(After + TimeSpan.FromSeconds(2));
        Assert.Equal(2, packer.Packed);
        Assert.Equal(release ? 1 : 0, packer.Releases);

        // More packed within the interval: no second release until it has passed.
        caches.SetBusy(other, true);
        other.Own.Peek("resp_2")!.Unpack();
        caches.SetBusy(other, false);
        time.Advance(After + TimeSpan.FromSeconds(2));
        Assert.Equal(3, packer.Packed);
        Assert.Equal(release ? 1 : 0, packer.Releases);
        time.Advance(IdlePacker.ReleaseInterval);
        Assert.Equal(release ? 2 : 0, packer.Releases);
    }

    [Fact]
    public void BelowTheThreshold_MemoryGivenBackOnceNothingIsLeftToPack()
    {
        var time = new FakeTimeProvider();
        using var packer = new IdlePacker(Options.Create(new LoopwireServerOptions
        {
            WebSocket = new WebSocketModeOptions { PackIdleAfter = After, ReleaseMemoryAfterPacking = true },
        }), time)
        { ReleaseThresholdBytes = long.MaxValue, QuietReleaseBytes = 1 };
        var caches = new LaneCaches(1 << 20, packer);
        IdleLane(caches, State("resp_1"));
        time.Advance(TimeSpan.FromSeconds(2));
        var later = IdleLane(caches, State("resp_2"));

        // One packed, one still waiting for its idle time: the server is not quiet yet.
        time.Advance(After - TimeSpan.FromSeconds(1));
        Assert.Equal(1, packer.Packed);
        Assert.Equal(1, packer.Queued);
        Assert.Equal(0, packer.Releases);

        // The last one packed, nothing left waiting: what packing freed goes back although it is below the threshold.
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(2, packer.Packed);
        Assert.Equal(0, packer.Queued);
        Assert.Equal(1, packer.Releases);
        Assert.NotNull(later);
    }

    [Fact]
    public void PackedEnough_ResponseInFlight_MemoryGivenBackOnlyOnceNoneIs()
    {
        var time = new FakeTimeProvider();
        bool busy = true;
        using var packer = new IdlePacker(Options.Create(new LoopwireServerOptions
        {
            WebSocket = new WebSocketModeOptions { PackIdleAfter = After, ReleaseMemoryAfterPacking = true },
        }), time, null, () => busy)
        { ReleaseThresholdBytes = 1 };
        var caches = new LaneCaches(1 << 20, packer);
        IdleLane(caches, State("resp_1"));

        time.Advance(After + TimeSpan.FromSeconds(2));
        Assert.Equal(1, packer.Packed);
        Assert.Equal(0, packer.Releases);
        time.Advance(IdlePacker.ReleaseInterval * 3);
        Assert.Equal(0, packer.Releases);

        busy = false;
        time.Advance(After);
        Assert.Equal(1, packer.Releases);
    }

    [Fact]
    public void TenantLimits_ResponsesInFlight_CountsEveryTenantsSlotsUntilReleased()
    {
        var limits = new Loopwire.Server.Limits.TenantLimits(Options.Create(new LoopwireServerOptions()));
        var a = limits.TryAcquireResponse("tenant:a");
        var b = limits.TryAcquireResponse("tenant:b");
        using var connection = limits.TryAcquireConnection("tenant:a");
        Assert.Equal(2, limits.ResponsesInFlight);

        a!.Dispose();
        a.Dispose();
        Assert.Equal(1, limits.ResponsesInFlight);
        b!.Dispose();
        Assert.Equal(0, limits.ResponsesInFlight);
    }

    [Fact]
    public void NextRelease_LongPauses_SpacedToFivePercentOfTheTime()
    {
        Assert.Equal(IdlePacker.ReleaseInterval, IdlePacker.NextReleaseAfter(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(TimeSpan.FromSeconds(20), IdlePacker.NextReleaseAfter(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void TargetThatFailsToPack_Logged_OthersStillPacked()
    {
        var time = new FakeTimeProvider();
        using var packer = Packer(time);
        var caches = new LaneCaches(1 << 20, packer);
        packer.Touch(new FailingTarget());
        var state = State("resp_1");
        IdleLane(caches, state);

        time.Advance(After + TimeSpan.FromSeconds(2));
        Assert.True(state.IsPacked);
        Assert.Equal(0, packer.Queued);
    }

    private sealed class FailingTarget : IdleTarget
    {
        internal override void PackIfIdle() => throw new InvalidOperationException("cannot pack");
    }

    [Fact]
    public void Disabled_NoQueueNoPacking()
    {
        var time = new FakeTimeProvider();
        using var packer = Packer(time, TimeSpan.Zero);
        var caches = new LaneCaches(1 << 20, packer);
        var state = State("resp_1");
        IdleLane(caches, state);

        time.Advance(TimeSpan.FromHours(1));
        Assert.False(state.IsPacked);
        Assert.Equal(0, packer.Queued);
    }

    [Fact]
    public async Task DetachedState_PackedOnceIdle_TenantBytesShrink_TakeOverUnpacked()
    {
        var time = new FakeTimeProvider();
        var options = Options.Create(new LoopwireServerOptions { WebSocket = new WebSocketModeOptions { PackIdleAfter = After } });
        using var packer = new IdlePacker(options, time);
        using var detached = new DetachedCaches(options, time, packer);
        var state = State("resp_1");
        long bytes = state.ApproximateBytes;
        Assert.True(detached.Detach("a", state));
        Assert.Equal(bytes, detached.TenantBytes("a"));

        time.Advance(After + TimeSpan.FromSeconds(2));
        Assert.True(state.IsPacked);
        Assert.Equal(state.ApproximateBytes, detached.TenantBytes("a"));

        var source = new ConnectionContextSource(new MemoryResponseStore(), "a", 1 << 20) { Detached = detached };
        var resolution = await source.ResolveAsync("resp_1");
        Assert.Same(state, resolution.State);
        Assert.False(state.IsPacked);
        Assert.Equal(bytes, state.ApproximateBytes);
        Assert.Equal(2, state.Items.Count);
    }
}
