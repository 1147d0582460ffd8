using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace Loopwire.Engine.Backends.Responses;

/// <summary>
/// A model behind another Responses server, over pooled upstream WebSockets: one socket per downstream conversation, so the
/// upstream gets only the new items plus <c>previous_response_id</c> on every continuation, whether the downstream client
/// came over a WebSocket or over plain HTTP.
/// </summary>
/// <remarks>
/// <para>
/// A finished turn leaves its socket in the pool under the downstream response id (<see cref="ModelRequest.ResponseId"/>); the
/// next request whose <c>previous_response_id</c> is that id takes the socket and sends only its own input. Anything else
/// (a new conversation, a socket evicted or closed, a downstream id the pool never saw) sends the full context on a
/// fresh or reused socket. When the upstream answers <c>previous_response_not_found</c> or
/// <c>websocket_connection_limit_reached</c> before any output, the turn is replayed once with the full context.
/// </para>
/// <para>
/// Thread-safe. At most <see cref="UpstreamBackendOptions.MaxConnections"/> sockets stay open (least recently used are
/// closed first). Cancelling aborts the turn's socket, which stops the upstream's generation. The caller owns
/// <c>handler</c>; dispose the backend to close the pool.
/// </para>
/// </remarks>
public sealed class ResponsesWebSocketBackend : IModelBackend, IModelLister, IAsyncDisposable
{
    private readonly string _name;
    private readonly UpstreamBackendOptions _options;
    private readonly HttpMessageInvoker _invoker;
    private readonly HttpClient _client;
    private readonly UpstreamHttp _http;
    private readonly ResiliencePipeline<ConnectAttempt> _connect;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Uri _uri;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Session> _pool = new(StringComparer.Ordinal);
    private readonly LinkedList<Session> _lru = new();
    private int _open;

    /// <summary>Creates the backend.</summary>
    /// <param name="name">The backend name (in messages and logs).</param>
    /// <param name="options">The upstream's options.</param>
    /// <param name="handler">The handler that opens connections (WebSocket upgrades and <c>/models</c>); not disposed.</param>
    /// <param name="time">The clock for timeouts and retry backoff.</param>
    /// <param name="logger">The logger.</param>
    public ResponsesWebSocketBackend(string name, UpstreamBackendOptions options, HttpMessageHandler handler, TimeProvider? time = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _name = name;
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        _client = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        _http = new UpstreamHttp(name, options, _client, _time, _logger);
        _connect = UpstreamResilience.Retry<ConnectAttempt>(name, options, _time, _logger, static o => o.Result.RetryReason);
        var b = options.BaseUri();
        _uri = new UriBuilder(new Uri(b, "responses")) { Scheme = b.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" }.Uri;
    }

    /// <inheritdoc />
    public IReadOnlyList<string> Models => _options.Models;

    /// <summary>Sockets open now (in use and pooled).</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default) => _http.ListModelsAsync(cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<ModelChunk> StreamAsync(ModelRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return StreamCoreAsync(request, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        List<Session> sessions;
        lock (_lock)
        {
            sessions = [.. _lru];
            _lru.Clear();
            _pool.Clear();
        }

        foreach (var s in sessions)
        {
            await CloseAsync(s, "shutdown").ConfigureAwait(false);
        }

        _http.Dispose();
        _client.Dispose();
        _invoker.Dispose();
    }

    /// <remarks>
    /// Step 1 take a slot and the conversation's pooled socket (by <c>previous_response_id</c>); Step 2 send the delta or
    /// the full context; Step 3 translate events until a terminal one; replay once in full when the upstream lost the chain
    /// or the pooled socket turned out closed; Step 4 pool the socket under the new response id, or close it on failure.
    /// </remarks>
    private async IAsyncEnumerable<ModelChunk> StreamCoreAsync(ModelRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        // Step 1
        using var slot = await _http.AcquireSlotAsync(ct).ConfigureAwait(false);
        var items = request.Conversation.Items;
        int newItems = request.Request.Input?.Count ?? 0;
        var session = Take(request.Request.PreviousResponseId);
        bool delta = session?.UpstreamResponseId is not null && newItems <= items.Count;
        bool success = false;
        using var reader = new WebSocketMessageReader(_options.MaxMessageBytes);
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                if (session is null || session.Socket.State != WebSocketState.Open)
                {
                    if (session is not null)
                    {
                        await CloseAsync(session, "found closed").ConfigureAwait(false);
                    }

                    session = TakeOldest();
                    if (session is not null && session.Socket.State != WebSocketState.Open)
                    {
                        await CloseAsync(session, "found closed").ConfigureAwait(false);
                        session = null;
                    }

                    if (session is null)
                    {
                        var (opened, failure) = await OpenAsync(ct).ConfigureAwait(false);
                        if (failure is not null)
                        {
                            yield return failure;
                            yield break;
                        }

                        session = opened!;
                    }

                    delta = false;
                }

                // Step 2
                IEnumerable<ResponseItem> input = delta ? items.Skip(items.Count - newItems) : items;
                string? previous = delta ? session.UpstreamResponseId : null;
                UpstreamLog.Sending(_logger, _name, delta ? newItems : items.Count, items.Count, previous);
                var body = ResponsesUpstreamRequest.Build(request, input, previous, webSocket: true);
                var sent = await SendAsync(session.Socket, body, ct).ConfigureAwait(false);
                var translator = new ResponsesStreamTranslator(_name);
                bool replay = false;
                if (sent is not null)
                {
                    replay = attempt == 0;
                    if (!replay)
                    {
                        yield return Report(sent);
                        yield break;
                    }
                }

                // Step 3
                while (!replay && !translator.Finished)
                {
                    var received = await ReceiveAsync(session!.Socket, reader, ct).ConfigureAwait(false);
                    if (received.Failure is { } lost)
                    {
                        if (attempt == 0 && !translator.HasOutput && received.Closed)
                        {
                            replay = true;
                            break;
                        }

                        yield return Report(lost);
                        yield break;
                    }

                    foreach (var c in translator.Add(received.Message))
                    {
                        if (c is ModelFinished)
                        {
                            // The engine stops reading at the terminal chunk, so the turn counts as done before it is yielded.
                            session!.UpstreamResponseId = translator.UpstreamResponseId;
                            success = true;
                        }

                        yield return c;
                    }

                    if (translator.ReplayCode is { } code)
                    {
                        if (attempt > 0)
                        {
                            yield return Report(UpstreamFailures.InStream(_name, code, null, "the upstream lost the conversation twice.", 502));
                            yield break;
                        }

                        replay = true;
                        if (code == "websocket_connection_limit_reached")
                        {
                            await CloseAsync(session, code).ConfigureAwait(false);
                            session = null;
                        }
                    }
                    else if (translator.Failure is { } f)
                    {
                        yield return Report(f);
                        yield break;
                    }
                }

                if (replay)
                {
                    UpstreamLog.Replaying(_logger, _name, translator.ReplayCode ?? "socket closed");
                    if (session is not null && session.Socket.State != WebSocketState.Open)
                    {
                        await CloseAsync(session, "closed by upstream").ConfigureAwait(false);
                        session = null;
                    }

                    delta = false;
                    continue;
                }

                // Step 4 runs in the finally block.
                yield break;
            }
        }
        finally
        {
            if (session is not null)
            {
                if (success && session.UpstreamResponseId is not null && request.ResponseId is { } id)
                {
                    await PoolAsync(id, session).ConfigureAwait(false);
                }
                else
                {
                    // A turn that did not finish leaves the socket mid-response: only closing it stops the upstream.
                    await CloseAsync(session, success ? "not chainable" : "turn ended early").ConfigureAwait(false);
                }
            }
        }
    }

    private Session? Take(string? previousResponseId)
    {
        if (previousResponseId is null)
        {
            return null;
        }

        lock (_lock)
        {
            if (_pool.Remove(previousResponseId, out var s))
            {
                _lru.Remove(s.Node);
                return s;
            }
        }

        return null;
    }

    /// <summary>When the pool is full, a new conversation takes over the least recently used socket instead of opening one.</summary>
    private Session? TakeOldest()
    {
        lock (_lock)
        {
            if (Volatile.Read(ref _open) < _options.MaxConnections || _lru.First is not { } oldest)
            {
                return null;
            }

            _lru.RemoveFirst();
            _pool.Remove(oldest.Value.Key!);
            oldest.Value.UpstreamResponseId = null;
            return oldest.Value;
        }
    }

    private async Task PoolAsync(string responseId, Session session)
    {
        var evicted = new List<Session>();
        lock (_lock)
        {
            session.Key = responseId;
            _pool[responseId] = session;
            _lru.AddLast(session.Node);
            while (Volatile.Read(ref _open) - evicted.Count > _options.MaxConnections && _lru.First is { } oldest && oldest.Value != session)
            {
                _lru.RemoveFirst();
                _pool.Remove(oldest.Value.Key!);
                evicted.Add(oldest.Value);
            }
        }

        foreach (var s in evicted)
        {
            await CloseAsync(s, "evicted").ConfigureAwait(false);
        }
    }

    /// <summary>Opens a socket, retrying (<see cref="UpstreamResilience"/>) connects that failed for a transient reason.</summary>
    private async Task<(Session? Session, ModelFailed? Failure)> OpenAsync(CancellationToken ct)
    {
        var attempt = await _connect.ExecuteAsync(static (self, t) => self.ConnectOnceAsync(t), this, ct).ConfigureAwait(false);
        if (attempt.Socket is { } ws)
        {
            int open = Interlocked.Increment(ref _open);
            UpstreamLog.Socket(_logger, _name, "opened", open);
            return (new Session(ws), null);
        }

        return (null, Report(attempt.Failure!));
    }

    /// <summary>One WebSocket upgrade; a failure value with a retry reason when another attempt may succeed.</summary>
    private async ValueTask<ConnectAttempt> ConnectOnceAsync(CancellationToken ct)
    {
#pragma warning disable CA2000 // Returned inside the attempt on success; disposed on every failure path below.
        var ws = new ClientWebSocket();
#pragma warning restore CA2000
        ws.Options.HttpVersion = HttpVersion.Version11;
        ws.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        ws.Options.CollectHttpResponseDetails = true;
        ws.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        ws.Options.SetRequestHeader("OpenAI-Beta", "responses_websockets=2026-02-06");
        if (!string.IsNullOrEmpty(_options.ApiKey))
        {
            ws.Options.SetRequestHeader("Authorization", "Bearer " + _options.ApiKey);
        }

        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            await ws.ConnectAsync(_uri, _invoker, linked.Token).ConfigureAwait(false);
            return new ConnectAttempt(ws, null, null);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is WebSocketException or HttpRequestException or OperationCanceledException)
        {
            int status = (int)ws.HttpStatusCode;
            ws.Dispose();
            return ex is OperationCanceledException ? ConnectAttempt.Final(UpstreamFailures.Timeout(_name, _options.Timeout))
                : status is 401 or 403 ? ConnectAttempt.Final(UpstreamFailures.FromStatus(_name, status, []))
                : status == 426 ? ConnectAttempt.Final(UpstreamFailures.Unavailable(_name,
                    $"it does not accept WebSockets (HTTP 426); use Loopwire:Backends:{_name}:Type=responses."))
                : status is >= 400 and < 500 ? ConnectAttempt.Final(UpstreamFailures.Unavailable(_name, $"HTTP {status} to the WebSocket upgrade."))
                : new ConnectAttempt(null, UpstreamFailures.Unavailable(_name, status == 0 ? ex.Message : $"HTTP {status} to the WebSocket upgrade."),
                    ex.Message);
        }
        catch
        {
            ws.Dispose();
            throw;
        }
    }

    private async Task<ModelFailed?> SendAsync(ClientWebSocket ws, byte[] body, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            await ws.SendAsync(body, WebSocketMessageType.Text, endOfMessage: true, linked.Token).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            return ex is OperationCanceledException ? UpstreamFailures.Timeout(_name, _options.Timeout) : UpstreamFailures.Broken(_name, ex.Message);
        }
    }

    /// <summary>Reads one message; a failure when it times out, is too big, is not JSON, or the socket closed (<c>Closed</c>).</summary>
    private async Task<Received> ReceiveAsync(ClientWebSocket ws, WebSocketMessageReader reader, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            var message = await reader.ReadAsync(ws, linked.Token).ConfigureAwait(false);
            switch (message.Kind)
            {
                case WebSocketMessageKind.Close:
                    return Received.Lost(UpstreamFailures.Broken(_name, $"the WebSocket was closed ({ws.CloseStatus} {ws.CloseStatusDescription})."));
                case WebSocketMessageKind.TooBig:
                    return new Received(default, UpstreamFailures.Protocol(_name,
                        $"a message is larger than {_options.MaxMessageBytes} bytes (Loopwire:Backends:{_name}:MaxMessageBytes)."), false);
                default:
                    var json = new Utf8JsonReader(message.Payload.Span);
                    return new Received(JsonElement.ParseValue(ref json), null, false);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Received(default, UpstreamFailures.Timeout(_name, _options.Timeout), false);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is WebSocketException or IOException)
        {
            return Received.Lost(UpstreamFailures.Broken(_name, ex.Message));
        }
        catch (JsonException ex)
        {
            return new Received(default, UpstreamFailures.Protocol(_name, "a message is not JSON: " + ex.Message), false);
        }
    }

    private async Task CloseAsync(Session session, string reason)
    {
        int open = Interlocked.Decrement(ref _open);
        UpstreamLog.Socket(_logger, _name, "closed: " + reason, open);
        var ws = session.Socket;
        if (ws.State == WebSocketState.Open)
        {
            // A short, bounded close handshake; a socket in the middle of a response is aborted instead.
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
            try
            {
                await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason.Length > 100 ? null : reason, cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        ws.Abort();
        ws.Dispose();
    }

    private ModelFailed Report(ModelFailed failure)
    {
        UpstreamLog.Failed(_logger, _name, failure.Code, failure.Status, failure.Message);
        return failure;
    }

    /// <summary>A connect's outcome: the open socket, or the failure and, when worth retrying, why.</summary>
    private readonly record struct ConnectAttempt(ClientWebSocket? Socket, ModelFailed? Failure, string? RetryReason)
    {
        public static ConnectAttempt Final(ModelFailed failure) => new(null, failure, null);
    }

    private readonly record struct Received(JsonElement Message, ModelFailed? Failure, bool Closed)
    {
        public static Received Lost(ModelFailed failure) => new(default, failure, true);
    }

    private sealed class Session
    {
        public Session(ClientWebSocket socket)
        {
            Socket = socket;
            Node = new LinkedListNode<Session>(this);
        }

        public ClientWebSocket Socket { get; }

        public LinkedListNode<Session> Node { get; }

        /// <summary>The downstream response id it is pooled under.</summary>
        public string? Key { get; set; }

        /// <summary>The upstream's id of the last response on this socket: what a delta chains on.</summary>
        public string? UpstreamResponseId { get; set; }
    }
}
