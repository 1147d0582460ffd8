using System.Net.WebSockets;
using Loopwire.Protocol.Errors;
using Loopwire.Server.WebSockets;
using Microsoft.Extensions.Time.Testing;

namespace Loopwire.Server.Tests.WebSockets;

public sealed class ConnectionLifetimeTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void New_IsOpenAndAdmits()
    {
        var lifetime = new ConnectionLifetime(TimeSpan.FromMinutes(60), TimeSpan.Zero, _time);

        Assert.Equal(ConnectionState.Open, lifetime.State);
        Assert.Null(lifetime.Admit());
        Assert.Null(lifetime.AdmitQueued());
    }

    [Fact]
    public void Admit_AgeElapsed_RefusesWithLimitReachedAndDrains()
    {
        var lifetime = new ConnectionLifetime(TimeSpan.FromMinutes(60), TimeSpan.Zero, _time);
        _time.Advance(TimeSpan.FromMinutes(60));

        var error = lifetime.Admit();

        Assert.Equal(ErrorCodes.WebSocketConnectionLimitReached, error?.Code);
        Assert.Equal(400, error?.Status);
        Assert.Equal(ConnectionState.Draining, lifetime.State);
        Assert.Equal(DrainReason.MaxAge, lifetime.Reason);
        Assert.Equal(new CloseFrame(WebSocketCloseStatus.NormalClosure, "connection age limit reached"), lifetime.CloseFrame());
    }

    [Fact]
    public void Admit_AgeTimerFired_RefusesBeforeTheClockSaysSo()
    {
        var lifetime = new ConnectionLifetime(TimeSpan.FromMinutes(60), TimeSpan.Zero, _time);

        lifetime.Drain(DrainReason.MaxAge);

        Assert.Equal(ErrorCodes.WebSocketConnectionLimitReached, lifetime.Admit()?.Code);
        Assert.Null(lifetime.AdmitQueued());
    }

    [Fact]
    public void Shutdown_RefusesNewAndQueuedAndClosesWith1001()
    {
        var lifetime = new ConnectionLifetime(TimeSpan.FromMinutes(60), TimeSpan.Zero, _time);

        lifetime.Drain(DrainReason.Shutdown);

        Assert.Equal(ErrorCodes.ServerShuttingDown, lifetime.Admit()?.Code);
        Assert.Equal(503, lifetime.AdmitQueued()?.Status);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, lifetime.CloseFrame().Status);
    }

    [Fact]
    public void Drain_WeakerReasonAfterStronger_KeepsStronger()
    {
        var lifetime = new ConnectionLifetime(TimeSpan.FromMinutes(60), TimeSpan.FromSeconds(10), _time);

        lifetime.Drain(DrainReason.Shutdown);
        lifetime.Drain(DrainReason.MaxAge);
        lifetime.Drain(DrainReason.Idle);

        Assert.Equal(DrainReason.Shutdown, lifetime.Reason);
    }

    [Fact]
    public void Drain_StrongerReasonAfterWeaker_Replaces()
    {
        var lifetime = new ConnectionLifetime(TimeSpan.FromMinutes(60), TimeSpan.FromSeconds(10), _time);

        lifetime.Drain(DrainReason.Idle);
        lifetime.Drain(DrainReason.MaxAge);

        Assert.Equal(DrainReason.MaxAge, lifetime.Reason);
    }

    [Fact]
    public void IdleExpired_AfterTimeoutSinceTouch_TrueAndIdleCloseNamesTheSetting()
    {
        var lifetime = new ConnectionLifetime(TimeSpan.FromMinutes(60), TimeSpan.FromSeconds(10), _time);
        _time.Advance(TimeSpan.FromSeconds(9));
        lifetime.Touch();
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(lifetime.IdleExpired);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(lifetime.IdleExpired);

        lifetime.Drain(DrainReason.Idle);
        var close = lifetime.CloseFrame();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, close.Status);
        Assert.Contains("Loopwire:Limits:WebSocketIdleTimeout", close.Reason, StringComparison.Ordinal);
        Assert.Null(lifetime.Admit());
    }

    [Fact]
    public void IdleTimeoutZero_NeverExpiresAndNoCheck()
    {
        var lifetime = new ConnectionLifetime(TimeSpan.FromMinutes(60), TimeSpan.Zero, _time);
        _time.Advance(TimeSpan.FromDays(2));

        Assert.False(lifetime.IdleExpired);
        Assert.Null(lifetime.IdleCheckPeriod);
    }

    [Theory]
    [InlineData(40_000, 10_000)]
    [InlineData(100, 50)]
    public void IdleCheckPeriod_QuarterOfTimeoutAtLeast50Ms(int timeoutMs, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs),
            new ConnectionLifetime(TimeSpan.Zero, TimeSpan.FromMilliseconds(timeoutMs), _time).IdleCheckPeriod);

    [Theory]
    [InlineData(0, false)]
    [InlineData(1000, true)]
    [InlineData(400 * 24 * 3600, false)]
    public void AgeLimit_OnlyForPositiveFiniteAges(int seconds, bool timer) =>
        Assert.Equal(timer, new ConnectionLifetime(TimeSpan.FromSeconds(seconds), TimeSpan.Zero, _time).AgeLimit is not null);

    [Fact]
    public void MarkClosed_StateClosed()
    {
        var lifetime = new ConnectionLifetime(TimeSpan.FromMinutes(60), TimeSpan.Zero, _time);
        lifetime.Drain(DrainReason.MaxAge);

        lifetime.MarkClosed();

        Assert.Equal(ConnectionState.Closed, lifetime.State);
    }
}
