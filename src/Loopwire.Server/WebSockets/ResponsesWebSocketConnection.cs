using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Loopwire.Engine;
using Loopwire.Engine.Context;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;
using Loopwire.Protocol.Wire;
using Loopwire.Server.Hosting;
using Loopwire.Server.Limits;

namespace Loopwire.Server.WebSockets;

/// <summary>
/// One WebSocket-mode connection: a receive loop that parses messages, a work loop that runs one response at a time
/// (FIFO, bounded), and a single send loop that owns the socket's send side.
/// </summary>
/// <remarks>
/// Step 1 the receive loop reassembles a message (capped), parses it and queues a <c>response.create</c>;
/// Step 2 the work loop prepares it against the connection cache and streams the engine's events into a bounded
/// outbound channel (a slow reader makes generation wait, it does not grow memory);
/// Step 3 the send loop writes each event as one text frame, and performs the close handshake.
/// When the client goes away, the work token is cancelled at once, which stops the backend. When the connection
/// drains and for which reason, and how it then closes, is <see cref="ConnectionLifetime"/>'s decision.
/// </remarks>
internal sealed class ResponsesWebSocketConnection : IDisposable
{
    private static long s_ids;

    private readonly WebSocket _ws;
    private readonly ResponseEngine _engine;
    private readonly WebSocketModeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConnectionContextSource _source;
    private readonly Channel<Outbound> _outbound;
    private readonly Channel<Queued> _requests;
    private readonly CancellationTokenSource _work = new();
    private readonly CancellationTokenSource _receive = new();
    private readonly ConnectionLifetime _lifetime;
    private readonly string _id;
    private int _pending;
    private int _running;
    private int _responses;
    private int _closeQueued;
    private long _disconnectSeenAt;

    /// <param name="idleTimeout">Close with 1000 after this long without a client message while nothing is in flight; zero: never.</param>
    public ResponsesWebSocketConnection(WebSocket ws, ResponseEngine engine, WebSocketModeOptions options, TimeProvider time,
        TimeSpan idleTimeout, string? tenant, string traceId, ILogger logger)
    {
        _ws = ws;
        _engine = engine;
        _options = options;
        _time = time;
        _logger = logger;
        _id = $"ws{Interlocked.Increment(ref s_ids)}:{traceId}";
        _source = new ConnectionContextSource(engine.Store, tenant, options.MaxConnectionCacheBytes);
        _outbound = Channel.CreateBounded<Outbound>(new BoundedChannelOptions(options.SendBufferEvents)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _requests = Channel.CreateUnbounded<Queued>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _lifetime = new ConnectionLifetime(options.MaxConnectionAge, idleTimeout, time);
    }

    /// <summary>Whether permessage-deflate was negotiated.</summary>
    public bool Compressed { get; init; }

    /// <summary>The per-tenant limits responses count against; null: none.</summary>
    public TenantLimits? Limits { get; init; }

    /// <summary>This connection's tenant partition for <see cref="Limits"/>.</summary>
    public string Partition { get; init; } = "";

    /// <summary>Events waiting in the outbound buffer (bounded by <see cref="WebSocketModeOptions.SendBufferEvents"/>).</summary>
    public int QueuedEvents => _outbound.Reader.Count;

    /// <summary>The connection's span; each response's span links to it. Default: not traced.</summary>
    public ActivityContext Trace { get; init; }

    /// <summary><c>response.create</c> messages accepted and waiting behind the one running (<c>loopwire.queue.depth</c>).</summary>
    public int QueuedRequests => Math.Max(0, Volatile.Read(ref _pending) - Volatile.Read(ref _running));

    /// <summary>Responses streamed to completion so far.</summary>
    public int Responses => Volatile.Read(ref _responses);

    /// <summary>The connection cache (tests and stats).</summary>
    public ConnectionContextSource Source => _source;

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
        var work = WorkLoopAsync(workToken.Token);
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
        _requests.Writer.TryComplete();
        await _work.CancelAsync();
        try
        {
            await work;
        }
        catch (OperationCanceledException)
        {
        }

        if (_ws.State == WebSocketState.CloseReceived)
        {
            QueueClose(new CloseFrame(WebSocketCloseStatus.NormalClosure, null));
        }

        _outbound.Writer.TryComplete();
        if (await Task.WhenAny(send, Task.Delay(_options.CloseTimeout, _time, CancellationToken.None)) != send)
        {
            _ws.Abort();
        }

        _source.Clear();
        _lifetime.MarkClosed();
        WebSocketLog.Closed(_logger, _id, reason, _responses, _source.CacheHits, _source.StoreHydrations);
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
        var (request, error) = InboundMessage.Parse(json);
        var parse = TurnTimings.Since(receivedAt);
        if (error is not null)
        {
            SendError(error);
            return;
        }

        if (request is null)
        {
            return;
        }

        if (_lifetime.Admit() is { } refused)
        {
            SendError(refused);
            CloseIfDrained();
            return;
        }

        if (Interlocked.Increment(ref _pending) > _options.MaxQueuedRequests + 1)
        {
            Interlocked.Decrement(ref _pending);
            SendError(new ProtocolError(429, ErrorTypes.InvalidRequest, ErrorCodes.WebSocketQueueFull,
                $"Too many queued responses on this connection: one runs and {_options.MaxQueuedRequests} may wait " +
                "(Loopwire:WebSocket:MaxQueuedRequests).", null));
            return;
        }

        _requests.Writer.TryWrite(new Queued(request, parse));
    }

    private async Task WorkLoopAsync(CancellationToken ct)
    {
        await foreach (var q in _requests.Reader.ReadAllAsync(ct))
        {
            Volatile.Write(ref _running, 1);
            try
            {
                if (_lifetime.AdmitQueued() is { } refused)
                {
                    SendError(refused);
                    continue;
                }

#pragma warning disable CA2000 // Disposed by the using declaration; the analyzer does not follow the null-conditional call.
                using var slot = Limits?.TryAcquireResponse(Partition);
#pragma warning restore CA2000
                if (Limits is not null && slot is null)
                {
                    SendError(TenantLimits.TooManyResponses(Limits.MaxResponses));
                    continue;
                }

                var timings = new TurnTimings { Transport = "ws", Parse = q.Parse, Connection = Trace };
                var prepared = await _engine.PrepareAsync(q.Request, _source, timings, ct);
                if (prepared.Error is not null)
                {
                    SendError(prepared.Error);
                    continue;
                }

                await foreach (var e in _engine.StreamAsync(prepared.Prepared!, ct))
                {
                    await _outbound.Writer.WriteAsync(new EventFrame(e), ct);
                }

                Interlocked.Increment(ref _responses);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                long seen = Volatile.Read(ref _disconnectSeenAt);
                if (seen != 0)
                {
                    WebSocketLog.CancelledOnDisconnect(_logger, _id, Stopwatch.GetElapsedTime(seen).TotalMilliseconds);
                }

                throw;
            }
            finally
            {
                // The idle clock starts when the last response ends, not at the message that asked for it.
                _lifetime.Touch();
                Interlocked.Decrement(ref _pending);
                Volatile.Write(ref _running, 0);
            }

            CloseIfDrained();
        }
    }

    private async Task SendLoopAsync()
    {
        using var buffer = new PooledBufferWriter(WebSocketMessageReader.InitialBufferBytes);
        using var writer = new Utf8JsonWriter(buffer, ProtocolJsonContext.WireWriterOptions);
        try
        {
            await foreach (var msg in _outbound.Reader.ReadAllAsync())
            {
                if (msg is CloseFrame close)
                {
                    if (_ws.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        await _ws.CloseOutputAsync(close.Status, close.Reason, CancellationToken.None);
                    }

                    // Wait for the peer's close frame, but not forever.
                    _receive.CancelAfter(_options.CloseTimeout);
                    return;
                }

                buffer.Clear();
                writer.Reset(buffer);
                ((TextFrame)msg).WriteTo(writer);
                writer.Flush();
                if (_ws.State != WebSocketState.Open && _ws.State != WebSocketState.CloseReceived)
                {
                    return;
                }

                await _ws.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, true, CancellationToken.None);
                if (_outbound.Reader.Count == 0 || buffer.Capacity > WebSocketMessageReader.RetainedBufferBytes)
                {
                    // Nothing queued (the turn ended, or generation is slower than the socket): hold no send buffer while idle.
                    buffer.Release();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException)
        {
            // The peer went away; the receive loop notices too, but often later (it may be idle while we stream).
            MarkDisconnected();
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            await _work.CancelAsync();
            _receive.CancelAfter(_options.CloseTimeout);
        }
    }

    /// <summary>Records when the disconnect was first seen (by either loop), for the cancellation delay log.</summary>
    private void MarkDisconnected() => Interlocked.CompareExchange(ref _disconnectSeenAt, Stopwatch.GetTimestamp(), 0);

    private void SendError(ProtocolError error)
    {
        WebSocketLog.ErrorSent(_logger, _id, error.Code, error.Message);
        // Errors are small and rare; if the buffer is full the reader is stalled and the error can wait its turn.
        var msg = new ErrorFrame(WebSocketErrorEnvelope.From(error));
        if (!_outbound.Writer.TryWrite(msg))
        {
            _ = _outbound.Writer.WriteAsync(msg, _work.Token).AsTask().ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    private void QueueClose(CloseFrame msg)
    {
        if (Interlocked.Exchange(ref _closeQueued, 1) == 1)
        {
            return;
        }

        if (!_outbound.Writer.TryWrite(msg))
        {
            _ = _outbound.Writer.WriteAsync(msg, CancellationToken.None).AsTask().ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    private sealed record Queued(CreateResponseRequest Request, TimeSpan Parse);
}
