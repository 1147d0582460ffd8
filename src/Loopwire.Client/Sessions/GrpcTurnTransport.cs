using System.Runtime.CompilerServices;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Loopwire.Grpc;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Client.Sessions;

/// <summary>
/// One persistent gRPC bidirectional stream (<c>loopwire.v1.Responses/Connect</c>) carrying WebSocket mode's messages:
/// <c>response.create</c> JSON up, the same event JSON down, continuations as deltas with <c>previous_response_id</c>.
/// </summary>
/// <remarks>
/// The stream plays the WebSocket's part: the server keeps the latest response of the stream, so a chain is bound to
/// it. The HTTP/2 connection under it belongs to the channel, which reconnects by itself; a broken or too old stream is
/// replaced between turns. A stream abandoned before its terminal event is cancelled (the rest of that response would
/// otherwise be read as the next one's). Used by one turn at a time.
/// </remarks>
internal sealed class GrpcTurnTransport : ITurnTransport
{
    /// <summary>How long a clean close waits for the server's end of the stream.</summary>
    private static readonly TimeSpan CleanEndTimeout = TimeSpan.FromSeconds(2);

    private readonly GrpcChannel _channel;
    private readonly Responses.ResponsesClient _client;
    private readonly Metadata _headers;
    private readonly TimeSpan _maxAge;
    private readonly TimeProvider _time;
    private Stream? _current;

    /// <param name="options">Auth, headers, the connection age limit and the clock.</param>
    /// <param name="headers">The request headers (the user's, plus the session's <c>session-id</c>).</param>
    /// <param name="address">The gRPC address (the server's h2c port, or its TLS address).</param>
    public GrpcTurnTransport(ResponseSessionOptions options, IDictionary<string, string> headers, Uri address)
    {
        // A plain HttpClient (not the channel's own subchannels): a dropped connection fails the call at once and the
        // next call opens a new connection, with no channel-level reconnect backoff in between, like a WebSocket reconnect.
#pragma warning disable CA2000 // The channel owns the HttpClient (DisposeHttpClient) and the client its handler.
        var http = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = true }) { Timeout = Timeout.InfiniteTimeSpan };
#pragma warning restore CA2000
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpClient = http,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
        });
        _client = new Responses.ResponsesClient(_channel);
        _headers = [];
        foreach (var (name, value) in headers)
        {
            _headers.Add(name.ToLowerInvariant(), value);
        }

        if (options.ApiKey is { } key)
        {
            _headers.Add("authorization", "Bearer " + key);
        }

        _maxAge = options.MaxConnectionAge;
        _time = options.TimeProvider;
    }

    public bool SupportsDelta => true;

    public bool? ForcedStore => null;

    public bool IsStateful => true;

    public object? Connection => _current;

    public bool IsFreshConnection => _current is null || _current.Responses == 0;

    public async Task<int> PrepareAsync(CancellationToken cancellationToken)
    {
        int replaced = 0;
        if (_current is { } old && (old.Broken || _time.GetElapsedTime(old.OpenedAt) >= _maxAge))
        {
            await CloseCurrentAsync().ConfigureAwait(false);
            replaced = 1;
        }

        if (_current is null)
        {
            await OpenAsync(cancellationToken).ConfigureAwait(false);
        }

        return replaced;
    }

    public async Task<int> ReconnectAsync(CancellationToken cancellationToken)
    {
        await CloseCurrentAsync().ConfigureAwait(false);
        await OpenAsync(cancellationToken).ConfigureAwait(false);
        return 1;
    }

    public async IAsyncEnumerable<ResponseEvent> SendAsync(CreateResponseRequest request, TransferCounter counter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = _current ?? throw new InvalidOperationException("No stream is open; call PrepareAsync first.");
        bool clean = false;
        try
        {
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(request with { Type = "response.create", Stream = null },
                ProtocolJsonContext.Wire.CreateResponseRequest);
            try
            {
                await stream.Call.RequestStream.WriteAsync(new WireMessage { Json = UnsafeByteOperations.UnsafeWrap(json) }, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception ex) when (IsStreamFailure(ex, cancellationToken))
            {
                throw Failure(ex, "Sending on the gRPC stream failed");
            }

            counter.Sent(json.Length);
            while (true)
            {
                ResponseEvent? e;
                try
                {
                    if (!await stream.Call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
                    {
                        throw new ResponsesConnectionException("The gRPC stream ended before the response's terminal event.");
                    }

                    var payload = stream.Call.ResponseStream.Current.Json;
                    counter.Received(payload.Length);
                    var (read, error, _) = EventReader.Read(payload.Span);
                    if (error is not null)
                    {
                        // An error event ends the request; the stream stays usable.
                        clean = true;
                        throw error;
                    }

                    e = read;
                }
                catch (Exception ex) when (IsStreamFailure(ex, cancellationToken) || ex is JsonException)
                {
                    throw Failure(ex, "The gRPC stream broke before the response's terminal event");
                }

                if (e is null)
                {
                    continue;
                }

                clean = e.IsTerminal;
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
                stream.Broken = true;
                stream.Call.Dispose();
            }
        }
    }

    public void ResponseCompleted()
    {
        if (_current is { } s)
        {
            s.Responses++;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseCurrentAsync().ConfigureAwait(false);
        _channel.Dispose();
    }

    private static bool IsStreamFailure(Exception ex, CancellationToken ct) =>
        ex is RpcException or IOException or HttpRequestException or ObjectDisposedException
        || (ex is OperationCanceledException && !ct.IsCancellationRequested);

    /// <summary>A refusal the server meant (auth, a limit, the transport turned off) fails the turn; anything else is a dropped connection.</summary>
    private static Exception Failure(Exception ex, string what) => ex switch
    {
        RpcException { StatusCode: StatusCode.Unauthenticated } r => new ResponsesApiException(401, ErrorTypes.InvalidRequest, ErrorCodes.InvalidApiKey, null, r.Status.Detail),
        RpcException { StatusCode: StatusCode.PermissionDenied } r => new ResponsesApiException(403, ErrorTypes.InvalidRequest, null, null, r.Status.Detail),
        RpcException { StatusCode: StatusCode.Unimplemented } r => new ResponsesApiException(501, ErrorTypes.InvalidRequest, null, null, r.Status.Detail),
        RpcException { StatusCode: StatusCode.ResourceExhausted } r => new ResponsesApiException(429, ErrorTypes.Requests, ErrorCodes.RateLimitExceeded, null, r.Status.Detail),
        RpcException r => new ResponsesConnectionException($"{what}: {r.StatusCode} {r.Status.Detail}", r),
        _ => new ResponsesConnectionException($"{what}: {ex.Message}", ex),
    };

    private Task OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // The call opens lazily on the channel's pooled HTTP/2 connection (a new one after a drop); a refusal or an
        // unreachable server shows on the first message, where the session replays or fails the turn.
        _current = new Stream(_client.Connect(_headers, cancellationToken: CancellationToken.None), _time.GetTimestamp());
        return Task.CompletedTask;
    }

    private async ValueTask CloseCurrentAsync()
    {
        if (_current is not { } old)
        {
            return;
        }

        _current = null;
        if (!old.Broken)
        {
            try
            {
                // A clean end: complete our side and read the server's status (bounded). A call disposed before that is a
                // cancellation, after which the server keeps the stream's cache detached for a reconnect.
                await old.Call.RequestStream.CompleteAsync().ConfigureAwait(false);
                using var bound = new CancellationTokenSource(CleanEndTimeout, _time);
                while (await old.Call.ResponseStream.MoveNext(bound.Token).ConfigureAwait(false))
                {
                    // Nothing is in flight between turns; anything left is dropped.
                }
            }
            catch (Exception ex) when (ex is RpcException or IOException or InvalidOperationException or OperationCanceledException)
            {
                // The stream was already gone (or did not end in time); disposing it below is all that is left.
            }
        }

        old.Call.Dispose();
    }

    /// <summary>One <c>Connect</c> call: the unit a chain is bound to.</summary>
    private sealed class Stream(AsyncDuplexStreamingCall<WireMessage, WireMessage> call, long openedAt)
    {
        public AsyncDuplexStreamingCall<WireMessage, WireMessage> Call { get; } = call;

        public long OpenedAt { get; } = openedAt;

        public int Responses { get; set; }

        public bool Broken { get; set; }
    }
}
