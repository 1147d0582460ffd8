using System.Net.WebSockets;
using Loopwire.Protocol.Errors;

namespace Loopwire.Server.WebSockets;

/// <summary>Where a connection is in its life.</summary>
internal enum ConnectionState
{
    /// <summary>Taking new responses.</summary>
    Open,

    /// <summary>Refusing or finishing work; closes once nothing is in flight.</summary>
    Draining,

    /// <summary>The connection has ended.</summary>
    Closed,
}

/// <summary>Why a connection drains. A stronger reason replaces a weaker one: <see cref="Idle"/> &lt; <see cref="MaxAge"/> &lt; <see cref="Shutdown"/>.</summary>
internal enum DrainReason
{
    /// <summary>Not draining.</summary>
    None,

    /// <summary>No client message for the idle timeout while nothing was in flight.</summary>
    Idle,

    /// <summary>The connection reached <see cref="Hosting.WebSocketModeOptions.MaxConnectionAge"/>.</summary>
    MaxAge,

    /// <summary>The server is stopping.</summary>
    Shutdown,
}

/// <summary>
/// The lifetime rules of one WebSocket connection: Open, then Draining for a <see cref="DrainReason"/>, then Closed. It decides
/// which new responses are refused with which error, and which close code and reason end the connection.
/// </summary>
/// <remarks>Thread-safe: the timers, the receive loop and the work loop all consult it.</remarks>
internal sealed class ConnectionLifetime
{
    // A limit this long is "never"; it also keeps timers away from TimeSpan overflows.
    private static readonly TimeSpan Never = TimeSpan.FromDays(365);
    private static readonly TimeSpan MinIdleCheck = TimeSpan.FromMilliseconds(50);

    private readonly TimeSpan _maxAge;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeProvider _time;
    private readonly long _openedAt;
    private long _lastActivity;
    private int _reason;
    private int _closed;

    public ConnectionLifetime(TimeSpan maxAge, TimeSpan idleTimeout, TimeProvider time)
    {
        _maxAge = maxAge;
        _idleTimeout = idleTimeout;
        _time = time;
        _openedAt = time.GetTimestamp();
        _lastActivity = _openedAt;
    }

    public ConnectionState State => Volatile.Read(ref _closed) == 1 ? ConnectionState.Closed
        : Reason == DrainReason.None ? ConnectionState.Open
        : ConnectionState.Draining;

    public DrainReason Reason => (DrainReason)Volatile.Read(ref _reason);

    /// <summary>When the age timer should fire; null when connections live forever.</summary>
    public TimeSpan? AgeLimit => _maxAge > TimeSpan.Zero && _maxAge < Never ? _maxAge : null;

    /// <summary>How often to check for idleness (a quarter of the timeout, at least 50 ms); null when idleness never closes.</summary>
    public TimeSpan? IdleCheckPeriod => _idleTimeout > TimeSpan.Zero && _idleTimeout < Never
        ? TimeSpan.FromTicks(Math.Max(_idleTimeout.Ticks / 4, MinIdleCheck.Ticks))
        : null;

    /// <summary>Restarts the idle clock: a client message arrived, or a response ended.</summary>
    public void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    /// <summary>Whether the idle timeout has passed since the last <see cref="Touch"/>.</summary>
    public bool IdleExpired => IdleCheckPeriod is not null && _time.GetElapsedTime(Volatile.Read(ref _lastActivity)) >= _idleTimeout;

    /// <summary>Starts (or strengthens) draining.</summary>
    public void Drain(DrainReason reason)
    {
        int current = Volatile.Read(ref _reason);
        while ((int)reason > current)
        {
            int seen = Interlocked.CompareExchange(ref _reason, (int)reason, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>Marks the connection ended.</summary>
    public void MarkClosed() => Volatile.Write(ref _closed, 1);

    /// <summary>Decides whether a newly received <c>response.create</c> may be queued.</summary>
    /// <returns>Null to accept; otherwise the error to send. Passing the age limit starts draining.</returns>
    public ProtocolError? Admit()
    {
        if (Reason == DrainReason.MaxAge || _time.GetElapsedTime(_openedAt) >= _maxAge)
        {
            Drain(DrainReason.MaxAge);
            return new ProtocolError(400, ErrorTypes.InvalidRequest, ErrorCodes.WebSocketConnectionLimitReached,
                $"Responses websocket connection limit reached ({_maxAge.TotalMinutes:0.##} minutes). " +
                "Create a new websocket connection to continue.", null);
        }

        return AdmitQueued();
    }

    /// <summary>Decides whether a queued response may start now.</summary>
    /// <returns>Null to run it; otherwise the error to send instead.</returns>
    public ProtocolError? AdmitQueued() => Reason == DrainReason.Shutdown
        ? new ProtocolError(503, ErrorTypes.Server, ErrorCodes.ServerShuttingDown, "The server is shutting down; reconnect and resend.", null)
        : null;

    /// <summary>The close frame that ends a draining connection once nothing is in flight.</summary>
    public CloseFrame CloseFrame() => Reason switch
    {
        DrainReason.Shutdown => new CloseFrame(WebSocketCloseStatus.EndpointUnavailable, "server shutting down"),
        DrainReason.Idle => new CloseFrame(WebSocketCloseStatus.NormalClosure,
            $"idle for {_idleTimeout.TotalSeconds:0.##} s (Loopwire:Limits:WebSocketIdleTimeout)"),
        _ => new CloseFrame(WebSocketCloseStatus.NormalClosure, "connection age limit reached"),
    };
}
