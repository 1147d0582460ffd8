using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Loopwire.Client.WebSockets;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Client.Sessions;

/// <summary>
/// One agent conversation over one transport. The caller hands it the FULL conversation on every turn; the session
/// sends only what the server does not have yet, and recovers transparently when the server lost it.
/// </summary>
/// <remarks>
/// <para><b>Delta detection</b> (the Codex rule): when the request options are unchanged (everything but <c>input</c>,
/// <c>previous_response_id</c>, <c>metadata</c> and <c>client_metadata</c>) and the new conversation starts with the
/// previous response's context (its input plus its output items), only the N new items are sent, with
/// <c>previous_response_id</c>. Items are compared by reference first and serialized only when the references differ,
/// so passing the same item instances (the previous conversation plus <see cref="TurnResult.Output"/>) makes the check
/// a walk over references. Anything else (edited history, changed tools or instructions) sends the full conversation
/// without <c>previous_response_id</c>. After a reconnect the chain is tried as a delta first
/// (<see cref="ResponseSessionOptions.DeltaAfterReconnect"/>: a Loopwire server keeps a dropped connection's cache detached
/// for a grace period) and replayed in full only on <c>previous_response_not_found</c>; so is a chain resumed from a
/// <see cref="SessionCheckpoint"/>.</para>
/// <para><b>Recovery</b>: on <c>previous_response_not_found</c>, <c>websocket_connection_limit_reached</c>, a dropped
/// connection or a close before the terminal event, the session reconnects if needed (a WebSocket is reopened with
/// exponential backoff and jitter, <see cref="ResponseSessionOptions.MaxConnectAttempts"/>; over HTTP the next request
/// takes a new pooled connection) and re-sends the full conversation, up to
/// <see cref="ResponseSessionOptions.MaxReplays"/> times. A WebSocket older than
/// <see cref="ResponseSessionOptions.MaxConnectionAge"/> is replaced between turns.</para>
/// <para><b>No duplicated output</b>: by default each attempt's events are buffered and surfaced only once the attempt
/// has reached its terminal event, so the events of a failed attempt are never surfaced and the caller sees exactly one
/// response per turn. With <see cref="ResponseSessionOptions.SurfaceEventsLive"/>, events are surfaced as they arrive;
/// failures before the first surfaced event are still replayed, a failure after it ends the turn with the exception.
/// Memory: the WebSocket client reads into a bounded channel in both modes; buffered mode also holds the events of the
/// current attempt (one response's worth, which its final response object carries anyway), while live mode passes the
/// caller's pace back to the socket and the server.</para>
/// <para>Structure: the session orchestrates; <see cref="DeltaPlanner"/> decides delta or full, an
/// <see cref="ITurnTransport"/> (HTTP or WebSocket) sends, <see cref="RecoveryPolicy"/> decides replay or reconnect and
/// holds the connect backoff, <see cref="TurnMeter"/> counts.</para>
/// <para>Thread-safety: turns run one at a time (a second call waits for the first). Dispose closes the connection.</para>
/// </remarks>
public sealed class ResponseSession : IAsyncDisposable
{

    /// <summary>The header that carries <see cref="SessionId"/>.</summary>
    public const string SessionIdHeader = "session-id";

    private readonly ResponseSessionOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly RecoveryPolicy _recovery;
    private readonly ITurnTransport _transport;
    private readonly DeltaPlanner _planner;
    private string? _inFlight;

    /// <summary>Creates a session; nothing is connected until the first turn.</summary>
    /// <param name="options">The options; <see cref="ResponseSessionOptions.Endpoint"/> is required.</param>
    /// <param name="resumeFrom">A checkpoint of an earlier session to continue from; its response is tried as
    /// <c>previous_response_id</c> and the full context is replayed if the server does not have it.</param>
    /// <exception cref="ArgumentException">The endpoint is missing.</exception>
    public ResponseSession(ResponseSessionOptions options, SessionCheckpoint? resumeFrom = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoint is null)
        {
            throw new ArgumentException("ResponseSessionOptions.Endpoint is required.", nameof(options));
        }

        _options = options;
        _time = options.TimeProvider;
        _recovery = RecoveryPolicy.From(options);
        var headers = new Dictionary<string, string>(options.Headers, StringComparer.OrdinalIgnoreCase);
        if (!headers.TryGetValue(SessionIdHeader, out string? sessionId))
        {
            sessionId = string.IsNullOrWhiteSpace(options.SessionId) ? "lw_" + Guid.NewGuid().ToString("N") : options.SessionId;
            headers[SessionIdHeader] = sessionId;
        }

        SessionId = sessionId;
        _transport = TurnTransports.Create(options, headers, _recovery);
        _planner = new DeltaPlanner(_transport.SupportsDelta, _transport.ForcedStore, resumeFrom, options.DeltaAfterReconnect);
    }

    private ResponseSession(ResponseSessionOptions options, ITurnTransport transport, string sessionId)
    {
        _options = options;
        SessionId = sessionId;
        _time = options.TimeProvider;
        _recovery = RecoveryPolicy.From(options);
        _transport = transport;
        _planner = new DeltaPlanner(transport.SupportsDelta, transport.ForcedStore, null, options.DeltaAfterReconnect);
    }

    /// <summary>The server root this session talks to.</summary>
    public Uri Endpoint => _options.Endpoint!;

    /// <summary>The id sent as the <c>session-id</c> header on every request of this session (see <see cref="ResponseSessionOptions.SessionId"/>).</summary>
    public string SessionId { get; }

    /// <summary>The transport this session uses.</summary>
    public SessionTransport Transport => _options.Transport;

    /// <summary>The latest response and its full context, or null before the first turn or after a failed one.</summary>
    public SessionCheckpoint? Checkpoint => _planner.Checkpoint;

    /// <summary>The current WebSocket connection, if any (tests abort it to simulate a drop).</summary>
    internal ResponsesWebSocketClient? Connection => _transport.Connection as ResponsesWebSocketClient;

    /// <summary>Runs one turn: sends what the server lacks of <paramref name="conversation"/> and waits for the response.</summary>
    /// <param name="conversation">The full conversation the model should see. Not modified; the session keeps its own copy.</param>
    /// <param name="options">Model, instructions, tools and the other request fields; <c>input</c> and
    /// <c>previous_response_id</c> are ignored. <c>store</c> is forced by the HTTP transports and defaults to false over WebSocket.</param>
    /// <param name="cancellationToken">Cancels the turn (a WebSocket in use is aborted and replaced on the next turn).</param>
    /// <returns>The response and the turn's metrics.</returns>
    /// <exception cref="ResponsesApiException">The server refused the request and the error is not recoverable.</exception>
    /// <exception cref="ResponsesConnectionException">The connection failed and the replays are used up.</exception>
    public async Task<TurnResult> RunTurnAsync(IReadOnlyList<ResponseItem> conversation, CreateResponseRequest options,
        CancellationToken cancellationToken = default)
    {
        TurnResult? result = null;
        await foreach (var update in StreamTurnAsync(conversation, options, cancellationToken).ConfigureAwait(false))
        {
            result = update.Result ?? result;
        }

        return result!;
    }

    /// <summary>Runs one turn and streams its events; the last update carries the <see cref="TurnResult"/>.</summary>
    /// <param name="conversation">The full conversation the model should see.</param>
    /// <param name="options">The request options (see <see cref="RunTurnAsync"/>).</param>
    /// <param name="cancellationToken">Cancels the turn.</param>
    /// <returns>The events of the successful attempt, then one update with the result.</returns>
    /// <exception cref="ResponsesApiException">The server refused the request and the error is not recoverable.</exception>
    /// <exception cref="ResponsesConnectionException">The connection failed and the replays are used up.</exception>
    public IAsyncEnumerable<SessionUpdate> StreamTurnAsync(IReadOnlyList<ResponseItem> conversation, CreateResponseRequest options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        ArgumentNullException.ThrowIfNull(options);
        return TurnCoreAsync(conversation, options, null, true, cancellationToken);
    }

    /// <summary>
    /// Warms the connection up: sends <paramref name="conversation"/> with <c>generate: false</c>, so the server caches the
    /// context without running the model. The next turn with the same conversation (plus any new items) is then a
    /// continuation of the warm-up. Only the WebSocket transports support it.
    /// </summary>
    /// <param name="conversation">The conversation to cache.</param>
    /// <param name="options">The request options the next turn will use.</param>
    /// <param name="cancellationToken">Cancels the warm-up.</param>
    /// <returns>The warm-up result (empty output); null for the HTTP transports, which do nothing.</returns>
    public async Task<TurnResult?> WarmUpAsync(IReadOnlyList<ResponseItem> conversation, CreateResponseRequest options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        ArgumentNullException.ThrowIfNull(options);
        if (!_transport.IsStateful)
        {
            return null;
        }

        TurnResult? result = null;
        await foreach (var update in TurnCoreAsync(conversation, options, null, false, cancellationToken).ConfigureAwait(false))
        {
            result = update.Result ?? result;
        }

        return result;
    }

    /// <summary>
    /// A session for another conversation over this session's WebSocket: its requests carry <paramref name="streamId"/>, so
    /// the server runs them on their own lane (FIFO within it, concurrently with other lanes), with its own cached chain.
    /// </summary>
    /// <param name="streamId">The lane: 1-256 characters of <c>[A-Za-z0-9_.-]</c>.</param>
    /// <returns>A session with its own auto-delta state; disposing it leaves the shared connection open (this session owns it).</returns>
    /// <exception cref="ArgumentException">The stream id is not valid.</exception>
    /// <exception cref="InvalidOperationException">This session does not use a WebSocket transport, or is itself a lane.</exception>
    /// <remarks>The server allows 32 distinct lanes per connection and 16 responses running at once across them.</remarks>
    public ResponseSession Lane(string streamId)
    {
        if (!Protocol.Wire.StreamIds.IsValid(streamId))
        {
            throw new ArgumentException("A stream_id is 1-256 characters of [A-Za-z0-9_.-].", nameof(streamId));
        }

        if (_transport is not WebSocketTurnTransport ws || StreamId is not null)
        {
            throw new InvalidOperationException("Lanes need a WebSocket session that is not itself a lane.");
        }

#pragma warning disable CA2000 // The lane session owns its transport and disposes it with itself (the shared connection stays open).
        return new ResponseSession(_options, new WebSocketTurnTransport(ws.Connections, ws.SupportsDelta, streamId), SessionId) { StreamId = streamId };
#pragma warning restore CA2000
    }

    /// <summary>The lane this session sends on; null for the default lane.</summary>
    public string? StreamId { get; private init; }

    /// <summary>
    /// Steers the response this session is streaming now: sends <c>response.steer</c> with <paramref name="input"/>. The
    /// server stops the response after its current output item and runs a successor with the input; the turn in progress
    /// then ends with the successor's response (its result), and the next turn sends the full conversation once.
    /// </summary>
    /// <param name="input">The user messages to steer with.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>False when no response is streaming on this session (nothing was sent).</returns>
    /// <exception cref="InvalidOperationException">The session does not use a WebSocket transport.</exception>
    public async Task<bool> SteerAsync(IReadOnlyList<ResponseItem> input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_transport.Connection is not ResponsesWebSocketClient client)
        {
            throw new InvalidOperationException(_transport.IsStateful ? "No connection is open." : "Steering needs a WebSocket session.");
        }

        if (Volatile.Read(ref _inFlight) is not { } target)
        {
            return false;
        }

        await client.SteerAsync(target, input, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Forgets the chain: the next turn sends the full conversation.</summary>
    public void Reset() => _planner.Reset();

    /// <summary>
    /// Sends exactly <paramref name="newItems"/> with <paramref name="previousResponseId"/>, for a response this session
    /// does not hold the context of (e.g. an id from another process). Nothing can be replayed if the server lost it.
    /// </summary>
    internal IAsyncEnumerable<SessionUpdate> StreamContinuationAsync(string previousResponseId, IReadOnlyList<ResponseItem> newItems,
        CreateResponseRequest options, CancellationToken cancellationToken) =>
        TurnCoreAsync(newItems, options, previousResponseId, true, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _transport.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    /// <remarks>
    /// Step 1 make sure a connection is open (replacing an old or broken one) and decide delta or full;
    /// Step 2 send, and on a recoverable failure reconnect if needed and re-send the full conversation;
    /// Step 3 surface the successful attempt and remember its context as the new chain.
    /// </remarks>
    private async IAsyncEnumerable<SessionUpdate> TurnCoreAsync(IReadOnlyList<ResponseItem> items, CreateResponseRequest options,
        string? rawPreviousId, bool generate, [EnumeratorCancellation] CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var meter = new TurnMeter(_time);

            // Step 1
            meter.Reconnects += await _transport.PrepareAsync(ct).ConfigureAwait(false);
            var plan = _planner.Plan(items, options, rawPreviousId, _transport.Connection);
            if (plan.ChainLostWithConnection)
            {
                meter.Replays++;
            }

            // Step 2
            var buffer = _options.SurfaceEventsLive ? null : new List<ResponseEvent>();
            IReadOnlyList<ResponseItem>? delta = plan.Delta;
            ResponseObject? final = null;
            bool surfaced = false;
            bool steered = false;
            for (int attempt = 0; ; attempt++)
            {
                var (input, prev, failure) = delta is null && generate && _options.WarmUpAfterConnect && _transport.IsFreshConnection
                    ? await WarmUpFirstAsync(plan.Template, items, meter, ct).ConfigureAwait(false)
                    : (delta ?? items, delta is null ? null : plan.PreviousResponseId, null);

                buffer?.Clear();
                meter.BeginAttempt();
                final = null;
                Volatile.Write(ref _inFlight, null);
                steered = false;
                if (failure is null)
                {
                    var request = plan.Template with { Input = input, PreviousResponseId = prev, Generate = generate ? null : false };
                    meter.RequestSent(input.Count);
                    meter.UsedPreviousResponseId = prev is not null;
                    var events = _transport.SendAsync(request, meter.Counter, ct).GetAsyncEnumerator(ct);
                    await using var eventsScope = events.ConfigureAwait(false);
                    while (true)
                    {
                        try
                        {
                            if (!await events.MoveNextAsync().ConfigureAwait(false))
                            {
                                break;
                            }
                        }
                        catch (Exception ex) when (RecoveryPolicy.IsRecoverable(ex))
                        {
                            failure = ex;
                            break;
                        }

                        var e = events.Current;
                        meter.Observe(e);
                        if (e is ResponseCreatedEvent started)
                        {
                            steered |= Volatile.Read(ref _inFlight) is not null;
                            Volatile.Write(ref _inFlight, started.Response.Id);
                        }

                        if (e is ResponseLifecycleEvent { IsTerminal: true } terminal)
                        {
                            final = terminal.Response;
                        }
                        else if (e is ErrorEvent error)
                        {
                            failure = new ResponsesApiException(500, ErrorTypes.Server, error.Code, error.Param, error.Message);
                        }

                        if (buffer is null)
                        {
                            surfaced = true;
                            yield return new SessionUpdate(e, null);
                        }
                        else
                        {
                            buffer.Add(e);
                        }
                    }
                }

                if (failure is null && final is not null)
                {
                    break;
                }

                failure ??= new ResponsesConnectionException("The response ended without a terminal event.");
                var action = _recovery.Decide(failure, prev is not null, plan.IsRawContinuation, attempt, surfaced);
                if (action == RecoveryAction.Fail)
                {
                    // The server may have dropped what the chain built on (a failed turn evicts it): start over next time.
                    _planner.Reset();
                    ExceptionDispatchInfo.Throw(failure);
                }

                if (action == RecoveryAction.Reconnect)
                {
                    meter.Reconnects += await _transport.ReconnectAsync(ct).ConfigureAwait(false);
                    if (delta is not null && _options.DeltaAfterReconnect)
                    {
                        // The server may have kept the dropped connection's cache: the delta first, a replay only on not-found.
                        continue;
                    }
                }

                delta = null;
                meter.Replays++;
            }

            // Step 3
            if (buffer is not null)
            {
                foreach (var e in buffer)
                {
                    yield return new SessionUpdate(e, null);
                }
            }

            Volatile.Write(ref _inFlight, null);
            _transport.ResponseCompleted();
            _planner.Complete(plan, final, _transport.Connection);
            if (steered)
            {
                // The server's chain now holds the steered response and the steer's input, which the caller's conversation lacks.
                _planner.Reset();
            }

            yield return new SessionUpdate(null, new TurnResult(final, meter.ToMetrics()));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Caches <paramref name="items"/> on a fresh connection with a <c>generate: false</c> request, the way Codex pre-warms.
    /// </summary>
    /// <returns>No input after the cached response on success; the full input and no previous response if the warm-up
    /// did not complete; the recoverable failure, if any.</returns>
    private async Task<(IReadOnlyList<ResponseItem> Input, string? PreviousResponseId, Exception? Failure)> WarmUpFirstAsync(
        CreateResponseRequest template, IReadOnlyList<ResponseItem> items, TurnMeter meter, CancellationToken ct)
    {
        meter.RequestSent(items.Count);
        try
        {
            ResponseObject? final = null;
            await foreach (var e in _transport.SendAsync(template with { Input = items, Generate = false }, meter.Counter, ct).ConfigureAwait(false))
            {
                if (e is ResponseLifecycleEvent { IsTerminal: true } t)
                {
                    final = t.Response;
                }
            }

            _transport.ResponseCompleted();
            return final?.Status == ResponseStatus.Completed ? ([], final.Id, null) : (items, null, null);
        }
        catch (Exception ex) when (RecoveryPolicy.IsRecoverable(ex))
        {
            return (items, null, ex);
        }
    }
}
