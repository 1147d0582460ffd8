using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Loopwire.Engine;
using Loopwire.Engine.Context;
using Loopwire.Grpc;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;
using Loopwire.Server.Http;
using Loopwire.Server.Limits;
using Loopwire.Server.WebSockets;

namespace Loopwire.Server.Grpc;

/// <summary>
/// One gRPC <c>Connect</c> stream: the same session as a WebSocket connection (the connection cache, the parser, the engine,
/// the per-tenant limits), with the stream as its connection. Responses run one at a time, in the order they arrive.
/// </summary>
/// <remarks>
/// What it shares with <see cref="ResponsesWebSocketConnection"/>: <see cref="ConnectionContextSource"/> (the latest
/// response of the connection and its rendered tokens, bounded by <c>Loopwire:WebSocket:MaxConnectionCacheBytes</c>, then
/// the store), <see cref="InboundMessage"/> (the same messages and errors), the engine and <see cref="TenantLimits"/>.
/// What it does not need: a send loop and close handshake (gRPC's writer and status do that) and a queue (HTTP/2 flow
/// control holds the next message until the current response ends). When the client cancels or the connection drops,
/// the call's token cancels the response in flight.
/// </remarks>
internal sealed class GrpcResponsesConnection
{
    private static long s_ids;

    private readonly ResponseEngine _engine;
    private readonly ConnectionContextSource _source;
    private readonly ILogger _logger;
    private readonly string _id;
    private readonly IItemParseCache? _items;
    private int _responses;

    public GrpcResponsesConnection(ResponseEngine engine, string? tenant, long maxCacheBytes, string traceId, ILogger logger)
    {
        _engine = engine;
        _logger = logger;
        _source = new ConnectionContextSource(engine.Store, tenant, maxCacheBytes);
        _items = engine.ItemParseCache(tenant);
        _id = $"grpc{Interlocked.Increment(ref s_ids)}:{traceId}";
    }

    /// <summary>The per-tenant limits responses count against; null: none.</summary>
    public TenantLimits? Limits { get; init; }

    /// <summary>This connection's tenant partition for <see cref="Limits"/>.</summary>
    public string Partition { get; init; } = "";

    /// <summary>The largest client message, for the error that names the limit.</summary>
    public int MaxMessageBytes { get; init; } = int.MaxValue;

    /// <summary>
    /// Sends what buffered writes left in the response (the HTTP response's body writer); null: every event is flushed as it
    /// is written. With it, events that are ready together leave together, as over a WebSocket: each is written with
    /// <see cref="WriteFlags.BufferHint"/>, and the stream is flushed before it waits for the model's next event and at a
    /// response's terminal event.
    /// </summary>
    public Func<CancellationToken, ValueTask>? Flush { get; init; }

    private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);

    /// <summary>Responses streamed to completion so far.</summary>
    public int Responses => Volatile.Read(ref _responses);

    /// <summary>The connection cache (tests and stats).</summary>
    public ConnectionContextSource Source => _source;

    /// <summary>
    /// Where a stream that ends without a clean end (the client cancelled it, or its connection went away) leaves its
    /// connection cache for a reconnecting client, and where a continuation that misses this stream's cache looks first, as a
    /// WebSocket does (<c>Loopwire:WebSocket:DetachedCacheSeconds</c>); null: neither.
    /// </summary>
    public DetachedCaches? Detached { get; init; }

    /// <summary>Reads messages until the client ends its side, answering each on <paramref name="output"/>.</summary>
    /// <exception cref="RpcException"><c>RESOURCE_EXHAUSTED</c> when a message exceeds <see cref="MaxMessageBytes"/>.</exception>
    public async Task RunAsync(IAsyncStreamReader<WireMessage> input, IServerStreamWriter<WireMessage> output, CancellationToken ct)
    {
        GrpcLog.Opened(_logger, _id);
        string reason = "closed by client";

        // Registered as open with the detached caches, as a WebSocket is: a reconnect that outruns the server's noticing of
        // this stream's end waits (bounded) for its caches instead of answering previous_response_not_found.
        using var attachment = Detached?.Attach(_source.Tenant, id => _source.CachedResponseId == id);
        _source.Detached = attachment;
        try
        {
            while (await input.MoveNext(ct))
            {
                long receivedAt = Stopwatch.GetTimestamp();
                await OnMessageAsync(input.Current.Json, receivedAt, output, ct);
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
        {
            reason = "message too big";
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"message exceeds {MaxMessageBytes} bytes (Loopwire:Grpc:MaxMessageBytes)"));
        }
        catch (IOException)
        {
            // The client's connection went away (reset, or the HTTP/2 connection faulted): a disconnect, not a server fault.
            reason = "connection lost";
        }
        catch (Exception ex) when (ct.IsCancellationRequested && ex is OperationCanceledException or RpcException)
        {
            reason = "cancelled by client";
        }
        finally
        {
            if (reason is "connection lost" or "cancelled by client" && Detached is { } detached)
            {
                // As a dropped WebSocket: a turn cut off half-way is undone, the rest is kept for a reconnecting client.
                using (detached.BeginDetach(_source.Tenant))
                {
                    detached.Detach(_source.Tenant, _source.Detach());
                }
            }

            attachment?.Dispose();
            _source.Clear();
            GrpcLog.Closed(_logger, _id, reason, Responses, _source.CacheHits, _source.StoreHydrations);
        }
    }

    private async Task OnMessageAsync(ByteString json, long receivedAt, IServerStreamWriter<WireMessage> output, CancellationToken ct)
    {
        var message = InboundMessage.Parse(json.Span, _items);
        var parse = TurnTimings.Since(receivedAt);
        CreateResponseRequest request;
        switch (message)
        {
            case null:
                return; // accepted and ignored (response.processed)
            case InvalidMessage invalid:
                await SendErrorAsync(output, invalid.Error, ct);
                return;
            case CreateMessage { StreamId: not null }:
                // One gRPC stream is one conversation lane; open another stream instead of a named lane.
                await SendErrorAsync(output, ProtocolError.Invalid(
                    "stream_id lanes are a WebSocket-mode feature; over gRPC open one stream per conversation.", "stream_id",
                    ErrorCodes.UnsupportedParameter), ct);
                return;
            case CreateMessage create:
                request = create.Request;
                break;
            default:
                await SendErrorAsync(output, ProtocolError.Invalid(
                    "response.steer and response.interrupt are WebSocket-mode messages; over gRPC cancel the stream instead.", "type",
                    ErrorCodes.UnsupportedMessage), ct);
                return;
        }

#pragma warning disable CA2000 // Disposed by the using declaration; the analyzer does not follow the null-conditional call.
        using var slot = Limits?.TryAcquireResponse(Partition);
#pragma warning restore CA2000
        if (Limits is not null && slot is null)
        {
            await SendErrorAsync(output, TenantLimits.TooManyResponses(Limits.MaxResponses), ct);
            return;
        }

        var timings = new TurnTimings { Transport = "grpc", Parse = parse };
        var prepared = await _engine.PrepareAsync(request, _source, timings, ct);
        if (prepared.Error is not null)
        {
            await SendErrorAsync(output, prepared.Error, ct);
            return;
        }

        await using (var events = _engine.StreamAsync(prepared.Prepared!, ct).GetAsyncEnumerator(CancellationToken.None))
        {
            while (true)
            {
                // When the model has nothing ready, what was written leaves now, not with the next event.
                var next = events.MoveNextAsync();
                if (!(next.IsCompleted || Flush is null ? await next : await FlushBeforeWait.NextAsync(next, Flush(ct))))
                {
                    break;
                }

                var e = events.Current;
                byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(e, ProtocolJsonContext.Wire.ResponseEvent);
                // A write without the hint flushes what the ones before it left (a terminal event goes at once).
                output.WriteOptions = Flush is not null && !e.IsTerminal ? Buffered : null;
                await output.WriteAsync(new WireMessage { Json = UnsafeByteOperations.UnsafeWrap(bytes) }, ct);
            }
        }

        if (Flush is not null)
        {
            // A stream that ended without a terminal event.
            output.WriteOptions = null;
            await Flush(ct);
        }

        Interlocked.Increment(ref _responses);
    }

    private Task SendErrorAsync(IServerStreamWriter<WireMessage> output, ProtocolError error, CancellationToken ct)
    {
        GrpcLog.ErrorSent(_logger, _id, error.Code, error.Message);
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(WebSocketErrorEnvelope.From(error), ProtocolJsonContext.Wire.WebSocketErrorEnvelope);
        output.WriteOptions = null;
        return output.WriteAsync(new WireMessage { Json = UnsafeByteOperations.UnsafeWrap(bytes) }, ct);
    }
}
