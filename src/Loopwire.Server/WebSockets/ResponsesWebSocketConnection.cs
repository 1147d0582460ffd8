using System.Buffers;
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
using Loopwire.Protocol.Validation;
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
/// When the client goes away, the work token is cancelled at once, which stops the backend.
/// </remarks>
internal sealed class ResponsesWebSocketConnection
{
    private static long s_ids;

    private readonly WebSocket _ws;
    private readonly ResponseEngine _engine;
    private readonly WebSocketModeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConnectionContextSource _source;
    private readonly Channel<Outgoing> _outbound;
    private readonly Channel<Queued> _requests;
    private readonly CancellationTokenSource _work = new();
    private readonly CancellationTokenSource _receive = new();
    private readonly string _id;
    private readonly long _openedAt;
    private int _pending;
    private int _responses;
    private int _closeQueued;
    private volatile int _closing; // 0 open, 1 age limit reached, 2 server shutting down
    private long _disconnectSeenAt;
    private long _lastMessageAt;

    public ResponsesWebSocketConnection(WebSocket ws, ResponseEngine engine, WebSocketModeOptions options, TimeProvider time,
        string? tenant, string traceId, ILogger logger)
    {
        _ws = ws;
        _engine = engine;
        _options = options;
        _time = time;
        _logger = logger;
        _id = $"ws{Interlocked.Increment(ref s_ids)}:{traceId}";
        _source = new ConnectionContextSource(engine.Store, tenant, options.MaxConnectionCacheBytes);
        _outbound = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(options.SendBufferEvents)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _requests = Channel.CreateUnbounded<Queued>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _openedAt = time.GetTimestamp();
    }

    /// <summary>Whether permessage-deflate was negotiated.</summary>
    public bool Compressed { get; init; }

    /// <summary>The per-tenant limits responses count against; null: none.</summary>
    public TenantLimits? Limits { get; init; }

    /// <summary>This connection's tenant partition for <see cref="Limits"/>.</summary>
    public string Partition { get; init; } = "";

    /// <summary>Close with 1000 after this long without a client message while nothing is in flight; zero: never.</summary>
    public TimeSpan IdleTimeout { get; init; }

    /// <summary>Events waiting in the outbound buffer (bounded by <see cref="WebSocketModeOptions.SendBufferEvents"/>).</summary>
    public int QueuedEvents => _outbound.Reader.Count;

    /// <summary>Responses streamed to completion so far.</summary>
    public int Responses => Volatile.Read(ref _responses);

    /// <summary>The connection cache (tests and stats).</summary>
    public ConnectionContextSource Source => _source;

    public async Task RunAsync(CancellationToken requestAborted)
    {
        using var workToken = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _work.Token);
        using var receiveToken = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _receive.Token);
        using var ageTimer = _options.MaxConnectionAge > TimeSpan.Zero && _options.MaxConnectionAge < TimeSpan.FromDays(365)
            ? _time.CreateTimer(_ => OnAgeLimit(), null, _options.MaxConnectionAge, Timeout.InfiniteTimeSpan)
            : null;
        Volatile.Write(ref _lastMessageAt, _time.GetTimestamp());
        var idleCheck = IdleTimeout > TimeSpan.Zero && IdleTimeout < TimeSpan.FromDays(365)
            ? TimeSpan.FromTicks(Math.Max(IdleTimeout.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks))
            : TimeSpan.Zero;
        using var idleTimer = idleCheck > TimeSpan.Zero ? _time.CreateTimer(_ => OnIdleCheck(), null, idleCheck, idleCheck) : null;
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
            QueueClose(WebSocketCloseStatus.InternalServerError, "internal error");
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
            QueueClose(WebSocketCloseStatus.NormalClosure, null);
        }

        _outbound.Writer.TryComplete();
        if (await Task.WhenAny(send, Task.Delay(_options.CloseTimeout, _time, CancellationToken.None)) != send)
        {
            _ws.Abort();
        }

        _source.Clear();
        WebSocketLog.Closed(_logger, _id, reason, _responses, _source.CacheHits, _source.StoreHydrations);
    }

    /// <summary>Server shutdown: refuse new responses, let the one in flight finish (bounded), then close with 1001.</summary>
    public void BeginShutdown()
    {
        _closing = 2;
        if (Volatile.Read(ref _pending) == 0)
        {
            QueueClose(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
        }
        else
        {
            _work.CancelAfter(_options.CloseTimeout);
        }
    }

    private void OnAgeLimit()
    {
        if (_closing == 0)
        {
            _closing = 1;
        }

        if (Volatile.Read(ref _pending) == 0)
        {
            QueueClose(WebSocketCloseStatus.NormalClosure, "connection age limit reached");
        }
    }

    private void OnIdleCheck()
    {
        if (Volatile.Read(ref _pending) == 0 && _time.GetElapsedTime(Volatile.Read(ref _lastMessageAt)) >= IdleTimeout)
        {
            QueueClose(WebSocketCloseStatus.NormalClosure,
                $"idle for {IdleTimeout.TotalSeconds:0.##} s (Loopwire:Limits:WebSocketIdleTimeout)");
        }
    }

    private async Task<string> ReceiveLoopAsync(CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await _ws.ReceiveAsync(buffer.GetMemory(16 * 1024), ct);
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

            Volatile.Write(ref _lastMessageAt, _time.GetTimestamp());
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return Volatile.Read(ref _closeQueued) == 1 ? "closed by server" : $"closed by client ({_ws.CloseStatus})";
            }

            buffer.Advance(result.Count);
            if (buffer.WrittenCount > _options.MaxMessageBytes)
            {
                QueueClose(WebSocketCloseStatus.MessageTooBig,
                    $"message exceeds {_options.MaxMessageBytes} bytes (Loopwire:WebSocket:MaxMessageBytes)");
                return "message too big";
            }

            if (!result.EndOfMessage)
            {
                continue;
            }

            if (result.MessageType == WebSocketMessageType.Binary)
            {
                SendError(ProtocolError.Invalid("Binary frames are not supported; send each message as one JSON text frame.", null, "invalid_message"));
            }
            else
            {
                OnMessage(buffer.WrittenSpan, Stopwatch.GetTimestamp());
            }

            if (buffer.Capacity > 1024 * 1024)
            {
                buffer = new ArrayBufferWriter<byte>(16 * 1024);
            }
            else
            {
                buffer.ResetWrittenCount();
            }
        }
    }

    private void OnMessage(ReadOnlySpan<byte> json, long receivedAt)
    {
        // Kestrel's WebSocket fails the connection on invalid UTF-8 itself; other hosts (TestServer, proxies) pass it on.
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            SendError(ProtocolError.Invalid("The message is not valid UTF-8.", null, "invalid_json"));
            return;
        }

        var (type, peekError) = PeekType(json);
        if (peekError is not null)
        {
            SendError(peekError);
            return;
        }

        switch (type)
        {
            case "response.create":
                break;
            case "response.processed":
                return; // Codex acknowledges a response; nothing to do.
            case "response.append":
                SendError(ProtocolError.Invalid("'response.append' is not supported; use 'response.create' with 'previous_response_id'.", "type", "unsupported_message"));
                return;
            case null:
                SendError(ProtocolError.Missing("type"));
                return;
            default:
                SendError(ProtocolError.Invalid($"Unknown message type '{type}'. Supported: 'response.create'.", "type", "unknown_message_type"));
                return;
        }

        var error = RequestReader.TryParse(json, out var request);
        var parse = TurnTimings.Since(receivedAt);
        if (error is null && request!.Background == true)
        {
            error = ProtocolError.Invalid("'background' is not supported over WebSocket; use HTTP for background responses.", "background", "unsupported_parameter");
        }

        if (error is not null)
        {
            SendError(error);
            return;
        }

        if (_closing == 1 || _time.GetElapsedTime(_openedAt) >= _options.MaxConnectionAge)
        {
            _closing = Math.Max(_closing, 1);
            SendError(new ProtocolError(400, "invalid_request_error", "websocket_connection_limit_reached",
                $"Responses websocket connection limit reached ({_options.MaxConnectionAge.TotalMinutes:0.##} minutes). " +
                "Create a new websocket connection to continue.", null));
            if (Volatile.Read(ref _pending) == 0)
            {
                QueueClose(WebSocketCloseStatus.NormalClosure, "connection age limit reached");
            }

            return;
        }

        if (_closing == 2)
        {
            SendError(new ProtocolError(503, "server_error", "server_shutting_down", "The server is shutting down; reconnect and resend.", null));
            return;
        }

        if (Interlocked.Increment(ref _pending) > _options.MaxQueuedRequests + 1)
        {
            Interlocked.Decrement(ref _pending);
            SendError(new ProtocolError(429, "invalid_request_error", "websocket_queue_full",
                $"Too many queued responses on this connection: one runs and {_options.MaxQueuedRequests} may wait " +
                "(Loopwire:WebSocket:MaxQueuedRequests).", null));
            return;
        }

        _requests.Writer.TryWrite(new Queued(request!, parse));
    }

    private async Task WorkLoopAsync(CancellationToken ct)
    {
        await foreach (var q in _requests.Reader.ReadAllAsync(ct))
        {
            try
            {
                if (_closing == 2)
                {
                    SendError(new ProtocolError(503, "server_error", "server_shutting_down", "The server is shutting down; reconnect and resend.", null));
                    continue;
                }

                using var slot = Limits?.TryAcquireResponse(Partition);
                if (Limits is not null && slot is null)
                {
                    SendError(TenantLimits.TooManyResponses(Limits.MaxResponses));
                    continue;
                }

                var timings = new TurnTimings { Transport = "ws", Parse = q.Parse };
                var prepared = await _engine.PrepareAsync(q.Request, _source, timings, ct);
                if (prepared.Error is not null)
                {
                    SendError(prepared.Error);
                    continue;
                }

                await foreach (var e in _engine.StreamAsync(prepared.Prepared!, ct))
                {
                    await _outbound.Writer.WriteAsync(new Outgoing(e, null, null, null), ct);
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
                Volatile.Write(ref _lastMessageAt, _time.GetTimestamp());
                Interlocked.Decrement(ref _pending);
            }

            if (_closing != 0 && Volatile.Read(ref _pending) == 0)
            {
                QueueClose(_closing == 2 ? WebSocketCloseStatus.EndpointUnavailable : WebSocketCloseStatus.NormalClosure,
                    _closing == 2 ? "server shutting down" : "connection age limit reached");
            }
        }
    }

    private async Task SendLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using var writer = new Utf8JsonWriter(buffer, ProtocolJsonContext.WireWriterOptions);
        try
        {
            await foreach (var msg in _outbound.Reader.ReadAllAsync())
            {
                if (msg.CloseStatus is { } status)
                {
                    if (_ws.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        await _ws.CloseOutputAsync(status, msg.CloseReason, CancellationToken.None);
                    }

                    // Wait for the peer's close frame, but not forever.
                    _receive.CancelAfter(_options.CloseTimeout);
                    return;
                }

                buffer.ResetWrittenCount();
                writer.Reset(buffer);
                if (msg.Event is not null)
                {
                    JsonSerializer.Serialize(writer, msg.Event, ProtocolJsonContext.Wire.ResponseEvent);
                }
                else
                {
                    JsonSerializer.Serialize(writer, msg.Error!, ProtocolJsonContext.Wire.WebSocketErrorEnvelope);
                }

                writer.Flush();
                if (_ws.State != WebSocketState.Open && _ws.State != WebSocketState.CloseReceived)
                {
                    return;
                }

                await _ws.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, true, CancellationToken.None);
                if (buffer.Capacity > 1024 * 1024)
                {
                    buffer = new ArrayBufferWriter<byte>(16 * 1024);
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
        var msg = new Outgoing(null, WebSocketErrorEnvelope.From(error), null, null);
        if (!_outbound.Writer.TryWrite(msg))
        {
            _ = _outbound.Writer.WriteAsync(msg, _work.Token).AsTask().ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    private void QueueClose(WebSocketCloseStatus status, string? reason)
    {
        if (Interlocked.Exchange(ref _closeQueued, 1) == 1)
        {
            return;
        }

        var msg = new Outgoing(null, null, status, reason);
        if (!_outbound.Writer.TryWrite(msg))
        {
            _ = _outbound.Writer.WriteAsync(msg, CancellationToken.None).AsTask().ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Finds the top-level <c>type</c> without deserializing the message.</summary>
    internal static (string? Type, ProtocolError? Error) PeekType(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, ProtocolError.Invalid("Each message must be a JSON object.", null, "invalid_json"));
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                if (isType)
                {
                    return reader.TokenType == JsonTokenType.String
                        ? (reader.GetString(), null)
                        : (null, ProtocolError.WrongType("type", "a string"));
                }

                reader.Skip();
            }

            return (null, null);
        }
        catch (JsonException ex)
        {
            return (null, RequestReader.FromJsonException(ex));
        }
    }

    private sealed record Queued(CreateResponseRequest Request, TimeSpan Parse);

    private sealed record Outgoing(ResponseEvent? Event, WebSocketErrorEnvelope? Error, WebSocketCloseStatus? CloseStatus, string? CloseReason);
}
