using System.Diagnostics;
using System.Net.WebSockets;
using Loopwire.Engine;
using Loopwire.Engine.Context;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;
using Loopwire.Protocol.Wire;
using Loopwire.Server.Hosting;
using Loopwire.Server.Http;
using Loopwire.Server.Limits;

namespace Loopwire.Server.WebSockets;

/// <summary>
/// One WebSocket-mode connection: a receive loop that parses messages, lanes (<c>stream_id</c>) that each run their responses in
/// order (see <see cref="LaneScheduler"/>), steering (<see cref="SteerCoordinator"/>), and one sender that owns the socket's
/// send side (<see cref="OutboundSender"/>).
/// </summary>
/// <remarks>
/// Step 1 the receive loop reassembles a message (capped), parses it and queues a <c>response.create</c> on its lane, or hands a
/// steer or an interrupt to the coordinator;
/// Step 2 each lane prepares its responses against its own cache and streams the engine's events, tagged with the lane, to the
/// <see cref="OutboundSender"/>: straight to the socket when nothing waits before them, else into a bounded queue (a slow reader
/// makes generation wait, it does not grow memory);
/// Step 3 its send loop writes each queued message as one text frame, in order, and performs the close handshake.
/// When the client goes away, the work token is cancelled at once, which stops the backend. When the connection
/// drains and for which reason, and how it then closes, is <see cref="ConnectionLifetime"/>'s decision.
/// </remarks>
internal sealed class ResponsesWebSocketConnection : IDisposable, ILaneOutput
{
    private static long s_ids;

    private readonly WebSocket _ws;
    private readonly ResponseEngine _engine;
    private readonly WebSocketModeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly OutboundSender _sender;
    private readonly SteerCoordinator _steers;
    private readonly string? _tenant;
    private LaneScheduler? _lanes;
    private readonly CancellationTokenSource _work = new();
    private readonly CancellationTokenSource _receive = new();
    private readonly ConnectionLifetime _lifetime;
    private readonly string _id;
    private int _pending;
    private int _closeQueued;
    private long _disconnectSeenAt;
    private DetachedCaches? _detached;

    /// <param name="idleTimeout">Close with 1000 after this long without a client message while nothing is in flight; zero: never.</param>
    /// <param name="transport">The stream under <paramref name="ws"/>, to send frames that are ready together in one write; null: one each.</param>
    public ResponsesWebSocketConnection(WebSocket ws, ResponseEngine engine, WebSocketModeOptions options, TimeProvider time,
        TimeSpan idleTimeout, string? tenant, string traceId, ILogger logger, CorkableStream? transport = null)
    {
        _ws = ws;
        _engine = engine;
        _options = options;
        _time = time;
        _logger = logger;
        _id = $"ws{Interlocked.Increment(ref s_ids)}:{traceId}";
        _tenant = tenant;
        _steers = new SteerCoordinator(this, options.MaxPendingSteers);
        _sender = new OutboundSender(ws, options.SendBufferEvents, OnPeerGone, transport);
        _lifetime = new ConnectionLifetime(options.MaxConnectionAge, idleTimeout, time);
    }

    /// <summary>Whether permessage-deflate was negotiated.</summary>
    public bool Compressed { get; init; }

    /// <summary>Where this connection's cache goes when it drops, and where a miss looks before the store; null: nowhere.</summary>
    public DetachedCaches? Detached
    {
        get => _detached;
        init => _detached = value;
    }

    /// <summary>The per-tenant limits responses count against; null: none.</summary>
    public TenantLimits? Limits { get; init; }

    /// <summary>Packs the lanes' conversations once idle; null: never.</summary>
    public IdlePacker? Packer { get; init; }

    /// <summary>This connection's tenant partition for <see cref="Limits"/>.</summary>
    public string Partition { get; init; } = "";

    /// <summary>Events waiting in the outbound buffer (bounded by <see cref="WebSocketModeOptions.SendBufferEvents"/>).</summary>
    public int QueuedEvents => _sender.Queued;

    /// <summary>Whether frames ready together are sent in one write (see <see cref="OutboundSender"/>).</summary>
    public bool SendsTogether => _sender.Corks;

    /// <summary>Whether a send waits for the socket: the client does not read fast enough (its buffers are full).</summary>
    public bool SendBlocked => _sender.Blocked;

    /// <summary>The connection's span; each response's span links to it. Default: not traced.</summary>
    public ActivityContext Trace { get; init; }

    /// <summary><c>response.create</c> messages accepted and waiting, on every lane (<c>loopwire.queue.depth</c>).</summary>
    public int QueuedRequests => Math.Max(0, Volatile.Read(ref _pending) - (_lanes?.Running ?? 0));

    /// <summary>Responses streamed to completion so far.</summary>
    public int Responses => _lanes?.Responses ?? 0;

    /// <summary>The lanes' caches (tests and stats).</summary>
    public LaneCaches? Caches => _lanes?.Caches;

    /// <summary>Where the connection is in its life.</summary>
    public ConnectionState State => _lifetime.State;

    public async Task RunAsync(CancellationToken requestAborted)
    {
        using var workToken = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _work.Token);
        using var receiveToken = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _receive.Token);
        using var ageTimer = _lifetime.AgeLimit is { } age
            ? _time.CreateTimer(_ => OnAgeLimit(), null, age, Timeout.InfiniteTimeSpan)
            : null;
        _lifetime.Touch();
        using var idleTimer = _lifetime.IdleCheckPeriod is { } idleCheck
            ? _time.CreateTimer(_ => OnIdleCheck(), null, idleCheck, idleCheck)
            : null;
        WebSocketLog.Opened(_logger, _id, Compressed);

        var send = SendLoopAsync();
        using var lanes = _lanes = new LaneScheduler(_engine, _options, this, _steers, _tenant, _lifetime.AdmitQueued, OnResponseDone,
            OnCancelled, workToken.Token, Packer)
        {
            Limits = Limits,
            Partition = Partition,
            Trace = Trace,
        };
        // Registered as open with the detached caches: a reconnect that outruns the server's noticing of a drop waits for it.
        using var attachment = _detached?.Attach(_tenant, lanes.Caches.Holds);
        lanes.Caches.Detached = attachment;
        string reason;
        try
        {
            reason = await ReceiveLoopAsync(receiveToken.Token);
        }
        catch (Exception ex)
        {
            WebSocketLog.Failed(_logger, ex, _id);
            reason = "internal error";
            QueueClose(new CloseFrame(WebSocketCloseStatus.InternalServerError, "internal error"));
        }

        // The client is gone or the close handshake is done: stop generating at once.
        MarkDisconnected();
        bool detach = reason is "connection lost" or "request aborted" && _detached is not null;
        using (detach ? _detached!.BeginDetach(_tenant) : null)
        {
            await _work.CancelAsync();
            await lanes.CompleteAsync();

            // A drop (no close handshake) keeps the lanes' caches detached for a reconnecting client, before the wait for the
            // send loop below; a reconnect that arrives meanwhile waits for this (bounded). A clean close clears them.
            if (detach)
            {
                lanes.Caches.DetachTo(_detached!);
            }
        }

        attachment?.Dispose();

        if (_ws.State == WebSocketState.CloseReceived)
        {
            QueueClose(new CloseFrame(WebSocketCloseStatus.NormalClosure, null));
        }

        _sender.Complete();
        if (await Task.WhenAny(send, Task.Delay(_options.CloseTimeout, _time, CancellationToken.None)) != send)
        {
            _ws.Abort();
        }

        lanes.Caches.Clear();
        _lifetime.MarkClosed();
        WebSocketLog.Closed(_logger, _id, reason, lanes.Responses, lanes.Caches.CacheHits, lanes.Caches.StoreHydrations);
    }

    /// <summary>Server shutdown: refuse new responses, let the one in flight finish (bounded), then close with 1001.</summary>
    public void BeginShutdown()
    {
        _lifetime.Drain(DrainReason.Shutdown);
        if (Volatile.Read(ref _pending) == 0)
        {
            QueueClose(_lifetime.CloseFrame());
        }
        else
        {
            try
            {
                _work.CancelAfter(_options.CloseTimeout);
            }
            catch (ObjectDisposedException)
            {
                // The connection ended while the host began stopping.
            }
        }
    }

    /// <summary>Returns the cancellation sources; call after <see cref="RunAsync"/> has finished.</summary>
    public void Dispose()
    {
        _work.Dispose();
        _receive.Dispose();
        _sender.Dispose();
    }

    private void OnAgeLimit()
    {
        _lifetime.Drain(DrainReason.MaxAge);
        CloseIfDrained();
    }

    private void OnIdleCheck()
    {
        if (Volatile.Read(ref _pending) == 0 && _lifetime.IdleExpired)
        {
            _lifetime.Drain(DrainReason.Idle);
            QueueClose(_lifetime.CloseFrame());
        }
    }

    /// <summary>Closes a draining connection once nothing is in flight.</summary>
    private void CloseIfDrained()
    {
        if (_lifetime.State == ConnectionState.Draining && Volatile.Read(ref _pending) == 0)
        {
            QueueClose(_lifetime.CloseFrame());
        }
    }

    private async Task<string> ReceiveLoopAsync(CancellationToken ct)
    {
        using var reader = new WebSocketMessageReader(_options.MaxMessageBytes);
        while (true)
        {
            WebSocketMessage message;
            try
            {
                message = await reader.ReadAsync(_ws, ct);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException)
            {
                // Kestrel reports a vanished peer as WebSocketException; other WebSocket implementations
                // (TestServer's, stream-based ones) as IOException. Either way it is a disconnect, not a server fault.
                return "connection lost";
            }
            catch (OperationCanceledException)
            {
                return Volatile.Read(ref _closeQueued) == 1 ? "closed by server" : "request aborted";
            }

            _lifetime.Touch();
            switch (message.Kind)
            {
                case WebSocketMessageKind.Close:
                    return Volatile.Read(ref _closeQueued) == 1 ? "closed by server" : $"closed by client ({_ws.CloseStatus})";
                case WebSocketMessageKind.TooBig:
                    QueueClose(new CloseFrame(WebSocketCloseStatus.MessageTooBig,
                        $"message exceeds {_options.MaxMessageBytes} bytes (Loopwire:WebSocket:MaxMessageBytes)"));
                    return "message too big";
                case WebSocketMessageKind.Binary:
                    SendError(ProtocolError.Invalid("Binary frames are not supported; send each message as one JSON text frame.", null, ErrorCodes.InvalidMessage));
                    break;
                default:
                    OnMessage(message.Payload.Span, Stopwatch.GetTimestamp());
                    break;
            }
        }
    }

    private void OnMessage(ReadOnlySpan<byte> json, long receivedAt)
    {
        var message = InboundMessage.Parse(json, _engine.ItemParseCache(_tenant));
        var parse = TurnTimings.Since(receivedAt);
        switch (message)
        {
            case InvalidMessage invalid:
                SendError(invalid.Error, invalid.StreamId);
                return;
            case SteerMessage steer:
                _steers.Steer(steer);
                return;
            case InterruptMessage interrupt:
                _steers.Interrupt(interrupt);
                return;
        }

        if (message is not CreateMessage create)
        {
            return;
        }

        if (_lifetime.Admit() is { } refused)
        {
            SendError(refused, create.StreamId);
            CloseIfDrained();
            return;
        }

        Interlocked.Increment(ref _pending);
        if (_lanes!.Enqueue(create, parse) is { } error)
        {
            Interlocked.Decrement(ref _pending);
            SendError(error, create.StreamId);
        }
    }

    /// <summary>A lane finished a response (and its successors).</summary>
    private void OnResponseDone()
    {
        // The idle clock starts when the last response ends, not at the message that asked for it.
        _lifetime.Touch();
        Interlocked.Decrement(ref _pending);
        CloseIfDrained();
    }

    private void OnCancelled()
    {
        long seen = Volatile.Read(ref _disconnectSeenAt);
        if (seen != 0)
        {
            WebSocketLog.CancelledOnDisconnect(_logger, _id, Stopwatch.GetElapsedTime(seen).TotalMilliseconds);
        }
    }

    private async Task SendLoopAsync()
    {
        try
        {
            // Wait for the peer's close frame after ours, but not forever.
            await _sender.RunAsync(() => _receive.CancelAfter(_options.CloseTimeout));
        }
        finally
        {
            await _work.CancelAsync();
            _receive.CancelAfter(_options.CloseTimeout);
        }
    }

    /// <summary>A send found the peer gone: stop generating at once (the receive loop may be idle and notice later).</summary>
    private void OnPeerGone()
    {
        MarkDisconnected();
        try
        {
            _ = _work.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Records when the disconnect was first seen (by either loop), for the cancellation delay log.</summary>
    private void MarkDisconnected() => Interlocked.CompareExchange(ref _disconnectSeenAt, Stopwatch.GetTimestamp(), 0);

    /// <inheritdoc />
    public ValueTask SendEventAsync(ResponseEvent e, string? lane, CancellationToken ct) =>
        _sender.SendEventAsync(lane is null ? e : e with { StreamId = lane }, ct);

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken ct) => _sender.FlushAsync(ct);

    /// <inheritdoc />
    public void SendControl(ResponseEvent e, string? lane) => Post(new EventFrame(lane is null ? e : e with { StreamId = lane }));

    /// <inheritdoc />
    public void SendError(ProtocolError error, string? lane)
    {
        WebSocketLog.ErrorSent(_logger, _id, error.Code, error.Message);
        Post(new ErrorFrame(WebSocketErrorEnvelope.From(error) with { StreamId = lane }));
    }

    private void SendError(ProtocolError error) => SendError(error, null);

    // Errors and steer replies are small and rare; if the queue is full the reader is stalled and they can wait their turn.
    private void Post(TextFrame msg) => _sender.Post(msg, _work.Token);

    private void QueueClose(CloseFrame msg)
    {
        if (Interlocked.Exchange(ref _closeQueued, 1) == 1)
        {
            return;
        }

        _sender.Post(msg, CancellationToken.None);
    }
}
