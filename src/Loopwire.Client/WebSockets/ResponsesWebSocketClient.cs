using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;
using Loopwire.Protocol.Wire;
using Loopwire.Protocol.Errors;

namespace Loopwire.Client.WebSockets;

/// <summary>One WebSocket-mode connection to <c>/v1/responses</c>: sends <c>response.create</c>, receives events.</summary>
/// <remarks>
/// <para>One response is in flight at a time per lane (<see cref="CreateResponseRequest.StreamId"/>; null is the default
/// lane): <see cref="StreamAsync"/> throws <see cref="InvalidOperationException"/> while another stream of the same lane is
/// open; streams of different lanes run concurrently. A receive loop routes each message by its <c>stream_id</c> into
/// that lane's bounded channel (<see cref="ResponsesWebSocketOptions.ReceiveBufferEvents"/>); when one is full the loop
/// stops reading, so TCP back-pressure reaches the server instead of memory growing.</para>
/// <para>A steer (<see cref="SteerAsync"/>) accepted for the response being streamed makes the stream continue through the
/// automatic successor: the stream then ends with the successor's terminal event.</para>
/// <para>If a stream is abandoned before its terminal event (cancelled, disposed early, or the reader throws), the
/// connection is aborted: the rest of that response would otherwise be read as the next response's events.
/// A WebSocket error envelope (e.g. <c>previous_response_not_found</c>) leaves the connection usable.</para>
/// </remarks>
public sealed class ResponsesWebSocketClient : IAsyncDisposable
{
    private readonly WebSocket _ws;
    private readonly ResponsesWebSocketOptions _options;
    private static readonly JsonElement SteerType = JsonDocument.Parse("\"response.steer\"").RootElement.Clone();

    private readonly LaneInboxes _inboxes;
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly long _openedAt;
    private readonly Task _receive;
    private volatile bool _broken;

    private ResponsesWebSocketClient(WebSocket ws, ResponsesWebSocketOptions options)
    {
        _ws = ws;
        _options = options;
        _openedAt = options.TimeProvider.GetTimestamp();
        ConnectedAt = options.TimeProvider.GetUtcNow();
        _inboxes = new LaneInboxes(options.ReceiveBufferEvents);
        _receive = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>When the connection opened.</summary>
    public DateTimeOffset ConnectedAt { get; }

    /// <summary>How long the connection has been open.</summary>
    public TimeSpan Age => _options.TimeProvider.GetElapsedTime(_openedAt);

    /// <summary>Whether the connection can carry another response.</summary>
    public bool IsOpen => !_broken && _ws.State == WebSocketState.Open && !_receive.IsCompleted;

    /// <summary>Connects to the WebSocket endpoint.</summary>
    /// <param name="uri">The address of <c>/v1/responses</c>; <c>http(s)</c> is turned into <c>ws(s)</c>.</param>
    /// <param name="options">Auth, headers, connector and buffering; null for defaults.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The connected client; dispose it to close the connection.</returns>
    /// <exception cref="ResponsesConnectionException">The connection could not be opened.</exception>
    /// <exception cref="ResponsesApiException">The server refused the upgrade with a 4xx status (e.g. 401, or 426 when WebSocket mode is off).</exception>
    public static async Task<ResponsesWebSocketClient> ConnectAsync(Uri uri, ResponsesWebSocketOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        options ??= new ResponsesWebSocketOptions();
        uri = ToWebSocketUri(uri);
        var headers = new Dictionary<string, string>(options.Headers, StringComparer.OrdinalIgnoreCase);
        if (options.ApiKey is { } key)
        {
            headers["Authorization"] = "Bearer " + key;
        }

        WebSocket ws;
#pragma warning disable CA2000 // The client returned below owns the socket and disposes it with itself.
        try
        {
            ws = options.Connector is { } connect
                ? await connect(uri, headers, cancellationToken).ConfigureAwait(false)
                : await ConnectClientWebSocketAsync(uri, headers, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException or InvalidOperationException)
        {
            throw new ResponsesConnectionException($"Could not open a WebSocket to {uri}: {ex.Message}", ex);
        }

#pragma warning restore CA2000
        return new ResponsesWebSocketClient(ws, options);
    }

    /// <summary>Sends <c>response.create</c> and streams the response's events.</summary>
    /// <param name="request">The request; <c>type</c> is set to <c>response.create</c> and <c>stream</c> is left out.</param>
    /// <param name="cancellationToken">Cancels the stream; cancelling before the terminal event aborts the connection.</param>
    /// <returns>The events up to and including the terminal one.</returns>
    /// <exception cref="InvalidOperationException">Another response is in flight on this connection.</exception>
    /// <exception cref="ResponsesApiException">The server answered with an error envelope (the connection stays usable).</exception>
    /// <exception cref="ResponsesConnectionException">The connection broke or closed before the terminal event.</exception>
    public IAsyncEnumerable<ResponseEvent> StreamAsync(CreateResponseRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return StreamCoreAsync(request, null, cancellationToken);
    }

    /// <summary>Sends <c>response.steer</c> for a response streaming on this connection.</summary>
    /// <param name="previousResponseId">The response to steer.</param>
    /// <param name="input">User messages (a string becomes one).</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the steer is sent; the server's reply arrives on the target's stream
    /// (<see cref="SteerAcceptedEvent"/>, <see cref="SteerPendingEvent"/> or <see cref="SteerFailedEvent"/>).</returns>
    /// <exception cref="ResponsesConnectionException">The connection is not open or the send failed.</exception>
    public async Task SteerAsync(string previousResponseId, IReadOnlyList<Protocol.Items.ResponseItem> input, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(previousResponseId);
        ArgumentNullException.ThrowIfNull(input);
        if (!IsOpen)
        {
            throw Closed("The WebSocket is not open.");
        }

        var steer = new SteerRequest
        {
            PreviousResponseId = previousResponseId,
            Input = input,
            Extra = new() { ["type"] = SteerType },
        };
        await SendTextAsync(JsonSerializer.SerializeToUtf8Bytes(steer, ProtocolJsonContext.Wire.SteerRequest), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Aborts the connection at once (no close handshake).</summary>
    public void Abort()
    {
        _broken = true;
        try
        {
            _ws.Abort();
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Another lane's reconnect already replaced and disposed this connection.
        }
    }

    /// <summary>Closes the connection with 1000 (bounded by <paramref name="cancellationToken"/>, then aborted).</summary>
    /// <param name="cancellationToken">Bounds the close handshake.</param>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        _broken = true;
        try
        {
            if (_ws.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await _ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
                await _receive.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            if (_ws.State != WebSocketState.Closed)
            {
                _ws.Abort();
            }

            await _stop.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        try
        {
            await _receive.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }

        _ws.Dispose();
        _stop.Dispose();
        // The send lock is not disposed: a disposed SemaphoreSlim forgets its waiters, so a send whose wait was just
        // cancelled by the stop above would then wait for ever. It holds nothing to free (its wait handle is never made).
    }

    internal async IAsyncEnumerable<ResponseEvent> StreamCoreAsync(CreateResponseRequest request, TransferCounter? counter,
        [EnumeratorCancellation] CancellationToken ct)
    {
        if (request.StreamId is { } lane && !StreamIds.IsValid(lane))
        {
            throw new ArgumentException("A stream_id is 1-256 characters of [A-Za-z0-9_.-].", nameof(request));
        }

        var inbox = _inboxes.Get(request.StreamId);
        if (Interlocked.CompareExchange(ref inbox.Busy, 1, 0) != 0)
        {
            throw new InvalidOperationException("A response is already in flight on this lane of the WebSocket; one response at a time per lane.");
        }

        bool clean = false;
        try
        {
            if (!IsOpen)
            {
                throw Closed("The WebSocket is not open.");
            }

            byte[] json = JsonSerializer.SerializeToUtf8Bytes(request with { Type = "response.create", Stream = null },
                ProtocolJsonContext.Wire.CreateResponseRequest);
            await SendTextAsync(json, ct).ConfigureAwait(false);
            counter?.Sent(json.Length);
            string? current = null;
            int steers = 0;
            while (true)
            {
                Inbound next;
                try
                {
                    if (!await inbox.Channel.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
                    {
                        throw Closed("The WebSocket closed before the response's terminal event.");
                    }

                    inbox.Channel.Reader.TryRead(out next);
                }
                catch (Exception ex) when (ex is ChannelClosedException or WebSocketException or IOException or JsonException or ObjectDisposedException)
                {
                    throw Closed("The WebSocket broke before the response's terminal event.", ex);
                }

                counter?.Received(next.Bytes);
                if (next.Error is { } error)
                {
                    // An error envelope ends the request; nothing else of it follows.
                    clean = true;
                    throw error;
                }

                if (next.Event is not { } e)
                {
                    continue;
                }

                switch (e)
                {
                    case ResponseCreatedEvent created:
                        current = created.Response.Id;
                        break;
                    case SteerAcceptedEvent a when a.Steer.PreviousResponseId == current:
                        steers++;
                        break;
                    case SteerPendingEvent or SteerFailedEvent when ((e as SteerPendingEvent)?.Steer ?? ((SteerFailedEvent)e).Steer) is { Id: not null } s
                        && s.PreviousResponseId == current:
                        steers--;
                        break;
                }

                // A steered response is followed by its successor on the same lane: the stream goes on to the successor's end.
                bool successorFollows = steers > 0 && e is ResponseCompletedEvent or ResponseIncompleteEvent;
                if (e.IsTerminal && !successorFollows)
                {
                    clean = true;
                }

                if (successorFollows)
                {
                    steers = 0;
                }

                yield return e;
                if (clean)
                {
                    yield break;
                }
            }
        }
        finally
        {
            if (!clean)
            {
                Abort();
            }

            Volatile.Write(ref inbox.Busy, 0);
        }
    }

    private async Task SendTextAsync(byte[] json, CancellationToken ct)
    {
        bool free;
        try
        {
            free = _send.Wait(0, CancellationToken.None);
        }
        catch (ObjectDisposedException ex)
        {
            throw Closed("The WebSocket was closed.", ex);
        }

        if (!free)
        {
            // Another lane is sending. The wait also ends when this connection stops (closed, aborted, replaced by a
            // reconnect): a send waiting on a connection that goes away fails at once.
            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
                await _send.WaitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (ObjectDisposedException ex)
            {
                throw Closed("The WebSocket was closed.", ex);
            }
            catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
            {
                throw Closed("The WebSocket was closed while this message waited to be sent.", ex);
            }
        }

        try
        {
            await _ws.SendAsync(json, WebSocketMessageType.Text, true, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException
            || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            // A send on a socket the peer reset surfaces as OperationCanceledException (inner IOException) even
            // though nobody cancelled: it is a dropped connection.
            throw Closed("Sending on the WebSocket failed.", ex);
        }
        finally
        {
            try
            {
                _send.Release();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private ResponsesConnectionException Closed(string message, Exception? inner = null)
    {
        _broken = true;
        int? status = _ws.CloseStatus is { } s ? (int)s : null;
        string suffix = status is null ? "" : $" (close {status} {_ws.CloseStatusDescription})";
        return new ResponsesConnectionException(message + suffix, inner) { CloseStatus = status };
    }

    private async Task ReceiveLoopAsync()
    {
        using var reader = new WebSocketMessageReader(_options.MaxMessageBytes);
        Exception? failure = null;
        var ct = _stop.Token;
        try
        {
            while (true)
            {
                var message = await reader.ReadAsync(_ws, ct).ConfigureAwait(false);
                if (message.Kind == WebSocketMessageKind.Close)
                {
                    if (_ws.State == WebSocketState.CloseReceived)
                    {
                        await _ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct).ConfigureAwait(false);
                    }

                    return;
                }

                if (message.Kind == WebSocketMessageKind.TooBig)
                {
                    failure = new ResponsesConnectionException($"A message exceeded {_options.MaxMessageBytes} bytes (MaxMessageBytes).");
                    _broken = true;
                    _ws.Abort();
                    return;
                }

                var (e, error, lane) = EventReader.Read(message.Payload.Span);
                await _inboxes.Get(lane).Channel.Writer.WriteAsync(new Inbound(e, error, message.Payload.Length), ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or JsonException)
        {
            failure = ex;
            _broken = true;
        }
        finally
        {
            _inboxes.Complete(failure);
        }
    }

    private static async Task<WebSocket> ConnectClientWebSocketAsync(Uri uri, Dictionary<string, string> headers,
        ResponsesWebSocketOptions options, CancellationToken ct)
    {
        var ws = new ClientWebSocket();
        try
        {
            ws.Options.KeepAliveInterval = options.KeepAliveInterval;
            foreach (var (name, value) in headers)
            {
                ws.Options.SetRequestHeader(name, value);
            }

            ws.Options.CollectHttpResponseDetails = true;
            await ws.ConnectAsync(uri, ct).ConfigureAwait(false);
            return ws;
        }
        catch (WebSocketException ex) when ((int)ws.HttpStatusCode is >= 400 and < 500)
        {
            // A refused upgrade (401 bad key, 426 WebSocket mode off) is an answer, not a transport failure: no retry.
            int status = (int)ws.HttpStatusCode;
            ws.Dispose();
            throw new ResponsesApiException(status, ErrorTypes.InvalidRequest, status == 426 ? ErrorCodes.WebSocketDisabled : null, null,
                $"The WebSocket upgrade was refused with HTTP {status}: {ex.Message}");
        }
        catch
        {
            ws.Dispose();
            throw;
        }
    }

    private static Uri ToWebSocketUri(Uri uri) => uri.Scheme switch
    {
        "http" => new UriBuilder(uri) { Scheme = "ws" }.Uri,
        "https" => new UriBuilder(uri) { Scheme = "wss" }.Uri,
        _ => uri,
    };


}
