using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Loopwire.Client.Http;
using Loopwire.Client.WebSockets;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Serialization;
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
/// without <c>previous_response_id</c>. A new WebSocket starts a new chain (the first request on it is always full),
/// except for a chain resumed from a <see cref="SessionCheckpoint"/>, which is tried optimistically.</para>
/// <para><b>Recovery</b>: on <c>previous_response_not_found</c>, <c>websocket_connection_limit_reached</c>, a dropped
/// connection or a close before the terminal event, the session reconnects if needed (exponential backoff with
/// jitter, <see cref="ResponseSessionOptions.MaxConnectAttempts"/>) and re-sends the full conversation, up to
/// <see cref="ResponseSessionOptions.MaxReplays"/> times. A WebSocket older than
/// <see cref="ResponseSessionOptions.MaxConnectionAge"/> is replaced between turns.</para>
/// <para><b>No duplicated output</b>: by default each attempt's events are buffered and surfaced only once the attempt
/// has reached its terminal event, so the events of a failed attempt are never surfaced and the caller sees exactly one
/// response per turn. With <see cref="ResponseSessionOptions.SurfaceEventsLive"/>, events are surfaced as they arrive;
/// failures before the first surfaced event are still replayed, a failure after it ends the turn with the exception.
/// Memory: the WebSocket client reads into a bounded channel in both modes; buffered mode also holds the events of the
/// current attempt (one response's worth, which its final response object carries anyway), while live mode passes the
/// caller's pace back to the socket and the server.</para>
/// <para>Thread-safety: turns run one at a time (a second call waits for the first). Dispose closes the connection.</para>
/// </remarks>
public sealed class ResponseSession : IAsyncDisposable
{
    private const string ResponsesPath = "v1/responses";

    private readonly ResponseSessionOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ResponsesHttpClient? _http;
    private readonly HttpClient? _ownedHttp;
    private readonly Uri _wsUri;
    private readonly ResponsesWebSocketOptions _wsOptions;
    private ResponsesWebSocketClient? _ws;
    private int _responsesOnConnection;
    private Chain? _chain;

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
        var root = options.Endpoint.AbsoluteUri.EndsWith('/') ? options.Endpoint : new Uri(options.Endpoint.AbsoluteUri + "/");
        _wsUri = new Uri(root, ResponsesPath);
        _wsOptions = new ResponsesWebSocketOptions
        {
            ApiKey = options.ApiKey,
            Headers = options.Headers,
            Connector = options.Connector,
            ReceiveBufferEvents = options.ReceiveBufferEvents,
            TimeProvider = options.TimeProvider,
        };
        if (!IsWebSocket)
        {
            var http = options.HttpClient;
            if (http is null)
            {
                http = _ownedHttp = new HttpClient { BaseAddress = root, Timeout = Timeout.InfiniteTimeSpan };
            }

            _http = new ResponsesHttpClient(http, new ResponsesClientOptions { ApiKey = options.ApiKey, Headers = options.Headers });
        }

        if (resumeFrom is not null)
        {
            _chain = new Chain(resumeFrom.ResponseId, [.. resumeFrom.Context], null, resumeFrom.Options, Key(Template(resumeFrom.Options)));
        }
    }

    /// <summary>The server root this session talks to.</summary>
    public Uri Endpoint => _options.Endpoint!;

    /// <summary>The transport this session uses.</summary>
    public SessionTransport Transport => _options.Transport;

    /// <summary>The latest response and its full context, or null before the first turn or after a failed one.</summary>
    public SessionCheckpoint? Checkpoint => _chain is { Context: { } context } c ? new SessionCheckpoint(c.ResponseId, context, c.OptionsSource) : null;

    /// <summary>The current WebSocket connection, if any (tests abort it to simulate a drop).</summary>
    internal ResponsesWebSocketClient? Connection => _ws;

    private bool IsWebSocket => _options.Transport is SessionTransport.WebSocket or SessionTransport.WebSocketFullReplay;

    private bool SupportsDelta => _options.Transport is SessionTransport.WebSocket or SessionTransport.HttpChained;

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
        if (!IsWebSocket)
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

    /// <summary>Forgets the chain: the next turn sends the full conversation.</summary>
    public void Reset() => _chain = null;

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
        if (_ws is { } ws)
        {
            _ws = null;
            await ws.DisposeAsync().ConfigureAwait(false);
        }

        _ownedHttp?.Dispose();
        _gate.Dispose();
    }

    /// <remarks>
    /// Step 1 decide delta or full; Step 2 make sure a connection is open (replacing an old or broken one);
    /// Step 3 send, and on a recoverable failure reconnect if needed and re-send the full conversation;
    /// Step 4 surface the successful attempt and remember its context as the new chain.
    /// </remarks>
    private async IAsyncEnumerable<SessionUpdate> TurnCoreAsync(IReadOnlyList<ResponseItem> items, CreateResponseRequest options,
        string? rawPreviousId, bool generate, [EnumeratorCancellation] CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            long start = _time.GetTimestamp();
            var counter = new TransferCounter();
            int itemsSent = 0, replays = 0, reconnects = 0, requests = 0;
            var template = Template(options);
            byte[] optionsBytes = ReferenceEquals(options, _chain?.OptionsSource) ? _chain!.OptionsBytes : Key(template);

            // Step 1
            IReadOnlyList<ResponseItem>? delta = null;
            string? previousId = null;
            bool wouldDelta = false;
            if (rawPreviousId is not null)
            {
                delta = items;
                previousId = rawPreviousId;
            }
            else if (SupportsDelta && _chain is { Context: { } context } chain
                && (ReferenceEquals(options, chain.OptionsSource) || optionsBytes.AsSpan().SequenceEqual(chain.OptionsBytes))
                && ContextComparer.StartsWith(items, context))
            {
                wouldDelta = true;
                delta = ContextComparer.Tail(items, context.Count);
                previousId = chain.ResponseId;
            }

            // Step 2
            if (IsWebSocket)
            {
                reconnects += await EnsureConnectionAsync(ct).ConfigureAwait(false);
                if (wouldDelta && _chain!.Connection is not null && !ReferenceEquals(_chain.Connection, _ws))
                {
                    delta = null;
                    previousId = null;
                    replays++;
                }
            }

            // Step 3
            bool live = _options.SurfaceEventsLive;
            var buffer = live ? null : new List<ResponseEvent>();
            ResponseObject? final = null;
            long firstOutput = 0;
            bool surfaced = false;
            bool usedPrevious = false;
            for (int attempt = 0; ; attempt++)
            {
                IReadOnlyList<ResponseItem> input = delta ?? items;
                string? prev = delta is null ? null : previousId;
                Exception? failure = null;
                if (generate && IsWebSocket && _options.WarmUpAfterConnect && _responsesOnConnection == 0 && prev is null)
                {
                    itemsSent += input.Count;
                    requests++;
                    (string? warmId, failure) = await WarmUpExchangeAsync(template with { Input = input, Generate = false }, counter, ct).ConfigureAwait(false);
                    if (warmId is not null)
                    {
                        input = [];
                        prev = warmId;
                    }
                }

                buffer?.Clear();
                firstOutput = 0;
                final = null;
                if (failure is null)
                {
                    var request = template with { Input = input, PreviousResponseId = prev, Generate = generate ? null : false };
                    itemsSent += input.Count;
                    requests++;
                    usedPrevious = prev is not null;
                    await using var events = Exchange(request, counter, ct).GetAsyncEnumerator(ct);
                    while (true)
                    {
                        try
                        {
                            if (!await events.MoveNextAsync().ConfigureAwait(false))
                            {
                                break;
                            }
                        }
                        catch (Exception ex) when (IsRecoverable(ex))
                        {
                            failure = ex;
                            break;
                        }

                        var e = events.Current;
                        if (firstOutput == 0 && e is OutputTextDeltaEvent or FunctionCallArgumentsDeltaEvent or ReasoningSummaryTextDeltaEvent)
                        {
                            firstOutput = _time.GetTimestamp();
                        }

                        if (e is ResponseLifecycleEvent { IsTerminal: true } terminal)
                        {
                            final = terminal.Response;
                        }
                        else if (e is ErrorEvent error)
                        {
                            failure = new ResponsesApiException(500, "server_error", error.Code, error.Param, error.Message);
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
                var recovery = Classify(failure, prev is not null, rawPreviousId is not null);
                if (recovery == Recovery.None || attempt >= _options.MaxReplays || surfaced)
                {
                    // The server may have dropped what the chain built on (a failed turn evicts it): start over next time.
                    _chain = null;
                    ExceptionDispatchInfo.Throw(failure);
                }

                if (recovery == Recovery.Reconnect)
                {
                    if (IsWebSocket)
                    {
                        reconnects += await ReconnectAsync(ct).ConfigureAwait(false);
                    }
                    else
                    {
                        await Task.Delay(Backoff(attempt), _time, ct).ConfigureAwait(false);
                    }
                }

                delta = null;
                previousId = null;
                replays++;
            }

            // Step 4
            if (buffer is not null)
            {
                foreach (var e in buffer)
                {
                    yield return new SessionUpdate(e, null);
                }
            }

            _responsesOnConnection++;
            if (final.Status is "completed" or "incomplete")
            {
                List<ResponseItem>? context = null;
                if (rawPreviousId is null)
                {
                    context = new List<ResponseItem>(items.Count + final.Output.Count);
                    context.AddRange(items);
                    context.AddRange(final.Output);
                }

                _chain = new Chain(final.Id, context, IsWebSocket ? _ws : null, options, optionsBytes);
            }
            else
            {
                _chain = null;
            }

            long end = _time.GetTimestamp();
            var metrics = new TurnMetrics
            {
                BytesSent = counter.BytesSent,
                BytesReceived = counter.BytesReceived,
                ItemsSent = itemsSent,
                UsedPreviousResponseId = usedPrevious,
                Replays = replays,
                Reconnects = reconnects,
                Requests = requests,
                TimeToFirstToken = firstOutput == 0 ? null : _time.GetElapsedTime(start, firstOutput),
                TurnTime = _time.GetElapsedTime(start, end),
            };
            yield return new SessionUpdate(null, new TurnResult(final, metrics));
        }
        finally
        {
            _gate.Release();
        }
    }

    private IAsyncEnumerable<ResponseEvent> Exchange(CreateResponseRequest request, TransferCounter counter, CancellationToken ct) =>
        IsWebSocket ? _ws!.StreamCoreAsync(request, counter, ct) : _http!.StreamCoreAsync(request, counter, ct);

    private async Task<(string? Id, Exception? Failure)> WarmUpExchangeAsync(CreateResponseRequest request, TransferCounter counter, CancellationToken ct)
    {
        try
        {
            ResponseObject? final = null;
            await foreach (var e in _ws!.StreamCoreAsync(request, counter, ct).ConfigureAwait(false))
            {
                if (e is ResponseLifecycleEvent { IsTerminal: true } t)
                {
                    final = t.Response;
                }
            }

            _responsesOnConnection++;
            return (final?.Status == "completed" ? final.Id : null, null);
        }
        catch (Exception ex) when (IsRecoverable(ex))
        {
            return (null, ex);
        }
    }

    /// <summary>Opens a connection if there is none, or replaces one that is broken or too old.</summary>
    /// <returns>1 when an earlier connection was replaced, else 0.</returns>
    private async Task<int> EnsureConnectionAsync(CancellationToken ct)
    {
        int replaced = 0;
        if (_ws is { } old && (!old.IsOpen || old.Age >= _options.MaxConnectionAge))
        {
            _ws = null;
            await old.DisposeAsync().ConfigureAwait(false);
            replaced = 1;
        }

        if (_ws is null)
        {
            _ws = await ConnectWithBackoffAsync(ct).ConfigureAwait(false);
            _responsesOnConnection = 0;
        }

        return replaced;
    }

    private async Task<int> ReconnectAsync(CancellationToken ct)
    {
        if (_ws is { } old)
        {
            _ws = null;
            await old.DisposeAsync().ConfigureAwait(false);
        }

        _ws = await ConnectWithBackoffAsync(ct).ConfigureAwait(false);
        _responsesOnConnection = 0;
        return 1;
    }

    private async Task<ResponsesWebSocketClient> ConnectWithBackoffAsync(CancellationToken ct)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await ResponsesWebSocketClient.ConnectAsync(_wsUri, _wsOptions, ct).ConfigureAwait(false);
            }
            catch (ResponsesConnectionException) when (attempt + 1 < _options.MaxConnectAttempts)
            {
                await Task.Delay(Backoff(attempt), _time, ct).ConfigureAwait(false);
            }
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        double ceiling = Math.Min(_options.ReconnectMaxDelay.TotalMilliseconds, _options.ReconnectBaseDelay.TotalMilliseconds * Math.Pow(2, attempt));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + Random.Shared.NextDouble() / 2));
    }

    private static bool IsRecoverable(Exception ex) =>
        ex is ResponsesApiException or ResponsesConnectionException or WebSocketException or HttpRequestException
        || ex is IOException;

    private static Recovery Classify(Exception failure, bool sentPrevious, bool raw) => failure switch
    {
        _ when raw => Recovery.None,
        ResponsesApiException { Code: "previous_response_not_found" } when sentPrevious => Recovery.Replay,
        ResponsesApiException { Code: "websocket_connection_limit_reached" or "server_shutting_down" } => Recovery.Reconnect,
        ResponsesApiException => Recovery.None,
        _ => Recovery.Reconnect,
    };

    /// <summary>The request template: input and chaining cleared, <c>store</c> fixed by the transport.</summary>
    private CreateResponseRequest Template(CreateResponseRequest options) => options with
    {
        Type = null,
        Input = null,
        PreviousResponseId = null,
        Stream = null,
        Generate = null,
        Store = _options.Transport switch
        {
            SessionTransport.HttpChained => true,
            SessionTransport.HttpStateless => false,
            _ => options.Store ?? false,
        },
    };

    /// <summary>The bytes that decide "options unchanged": every field but the per-request metadata.</summary>
    private static byte[] Key(CreateResponseRequest template) =>
        JsonSerializer.SerializeToUtf8Bytes(template with { Metadata = null, ClientMetadata = null }, ProtocolJsonContext.Wire.CreateResponseRequest);

    private enum Recovery
    {
        None,
        Replay,
        Reconnect,
    }

    /// <summary>The latest response: its id, its full context (null when unknown), the connection that holds it.</summary>
    private sealed record Chain(string ResponseId, List<ResponseItem>? Context, ResponsesWebSocketClient? Connection,
        CreateResponseRequest OptionsSource, byte[] OptionsBytes);
}
