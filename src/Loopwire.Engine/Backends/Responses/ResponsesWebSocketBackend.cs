using System.Runtime.CompilerServices;
using System.Text.Json;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

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
/// Steering passes through: a <c>response.steer</c> on a response streaming from an upstream socket is sent to the upstream
/// (<see cref="UpstreamSteering"/>), which ends the response at its own item boundary and generates the successor on the same
/// socket; the downstream successor reads that instead of sending a new request. When the upstream cannot take the steer
/// (no upstream id yet, <c>response.steer.failed</c>), the response stops here and the successor is sent (cancel-and-continue).
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
    private readonly UpstreamSocketIo _io;
    private readonly UpstreamSocketPool _pool;
    private readonly UpstreamSteering _steering;
    private readonly ILogger _logger;

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
        var clock = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        _client = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        _http = new UpstreamHttp(name, options, _client, clock, _logger);
        _io = new UpstreamSocketIo(name, options, _invoker, clock, _logger);
        _pool = new UpstreamSocketPool(name, options.MaxConnections, clock, _logger);
        _steering = new UpstreamSteering(name, _io, _logger);
    }

    /// <inheritdoc />
    public IReadOnlyList<string> Models => _options.Models;

    /// <summary>Sockets open now (in use and pooled).</summary>
    public int OpenConnections => _pool.Open;

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
        await _pool.CloseAllAsync("shutdown").ConfigureAwait(false);
        _http.Dispose();
        _client.Dispose();
        _invoker.Dispose();
    }

    /// <remarks>
    /// Step 1 take a slot and the conversation's pooled socket (by <c>previous_response_id</c>; a steered parent's socket only
    /// for its successor); Step 2 send the delta or the full context (an attached successor sends nothing); Step 3 translate
    /// events until a terminal one, consuming the replies to passed-through steers; replay once in full when the upstream lost
    /// the chain, the pooled socket turned out closed or no upstream successor came; Step 4 pool the socket under the new
    /// response id, or close it on failure.
    /// </remarks>
    private async IAsyncEnumerable<ModelChunk> StreamCoreAsync(ModelRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        // Step 1
        using var slot = await _http.AcquireSlotAsync(ct).ConfigureAwait(false);
        var items = request.Conversation.Items;
        int newItems = request.Request.Input?.Count ?? 0;
        var session = _pool.Take(request.Request.PreviousResponseId);
        // A steer passed through on the parent: the upstream generates the successor on that socket, so the successor reads it
        // (sends nothing) and anything else must not touch it.
        bool attach = session is { SteerSent: true } && request.SteerSuccessor && session.IsOpen;
        if (session is { SteerSent: true } && !attach)
        {
            await _pool.CloseAsync(session, "steered").ConfigureAwait(false);
            session = null;
        }

        bool delta = session?.UpstreamResponseId is not null && newItems <= items.Count;
        bool success = false;
        ResponsesStreamTranslator? translator = null;
        if (request.Request.Conversation is null)
        {
            // A conversation-bound successor names no parent and could not find the upstream's successor: those stop here.
            request.Stop?.PassSteersTo(input => _steering.TryPass(session, translator?.UpstreamResponseId, input));
        }
        using var reader = new WebSocketMessageReader(_options.MaxMessageBytes);
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                if (session is null || !session.IsOpen)
                {
                    if (session is not null)
                    {
                        await _pool.CloseAsync(session, "found closed").ConfigureAwait(false);
                    }

                    session = _pool.TakeOldest();
                    if (session is not null && (!session.IsOpen || session.SteerSent))
                    {
                        await _pool.CloseAsync(session, "found closed").ConfigureAwait(false);
                        session = null;
                    }

                    if (session is null)
                    {
                        var (socket, failure) = await _io.ConnectAsync(ct).ConfigureAwait(false);
                        if (socket is null)
                        {
                            yield return Report(failure!);
                            yield break;
                        }

                        session = _pool.Opened(socket);
                    }

                    delta = false;
                    attach = false;
                }

                // Step 2 (an attached successor sends nothing: the upstream is already generating it)
                ModelFailed? sent = null;
                if (!attach)
                {
                    IEnumerable<ResponseItem> input = delta ? items.Skip(items.Count - newItems) : items;
                    string? previous = delta ? session.UpstreamResponseId : null;
                    UpstreamLog.Sending(_logger, _name, delta ? newItems : items.Count, items.Count, previous);
                    var body = ResponsesUpstreamRequest.Build(request, input, previous, webSocket: true);
                    sent = await _io.SendAsync(session.Socket, body, ct).ConfigureAwait(false);
                }

                translator = new ResponsesStreamTranslator(_name);
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
                    var received = await _io.ReceiveAsync(session!.Socket, reader, ct).ConfigureAwait(false);
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

                    switch (_steering.Classify(received.Message))
                    {
                        case SteerReply.Accepted:
                            continue;
                        case SteerReply.NoSuccessor when attach && translator.UpstreamResponseId is null:
                            // The upstream makes no successor after all (it finished first, or waits for tool output): send it.
                            replay = true;
                            await _pool.CloseAsync(session, "no upstream successor").ConfigureAwait(false);
                            session = null;
                            continue;
                        case SteerReply.NoSuccessor:
                            // The upstream refused the steer while the response runs: stop here instead (cancel-and-continue).
                            session.SteerSent = false;
                            request.Stop?.Request(ResponseStop.Steered);
                            continue;
                    }

                    if (attach && translator.UpstreamResponseId is null && IsCreated(received.Message))
                    {
                        session.SteerSent = false;
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
                        if (code == ErrorCodes.WebSocketConnectionLimitReached)
                        {
                            await _pool.CloseAsync(session, code).ConfigureAwait(false);
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
                    if (session is not null && !session.IsOpen)
                    {
                        await _pool.CloseAsync(session, "closed by upstream").ConfigureAwait(false);
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
            request.Stop?.PassSteersTo(null);
            if (session is not null)
            {
                if (success && session.UpstreamResponseId is not null && request.ResponseId is { } id)
                {
                    await _pool.ReturnAsync(id, session).ConfigureAwait(false);
                }
                else
                {
                    // A turn that did not finish leaves the socket mid-response: only closing it stops the upstream.
                    await _pool.CloseAsync(session, success ? "not chainable" : "turn ended early").ConfigureAwait(false);
                }
            }
        }
    }

    private static bool IsCreated(JsonElement e) =>
        e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.ValueEquals("response.created"u8);

    private ModelFailed Report(ModelFailed failure)
    {
        UpstreamLog.Failed(_logger, _name, failure.Code, failure.Status, failure.Message);
        return failure;
    }
}
