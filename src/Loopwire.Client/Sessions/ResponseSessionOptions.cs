using System.ComponentModel.DataAnnotations;
using Loopwire.Client.WebSockets;

namespace Loopwire.Client.Sessions;

/// <summary>Options of a <see cref="ResponseSession"/>.</summary>
/// <remarks>Read once when the session is created; later changes have no effect.</remarks>
public sealed class ResponseSessionOptions : ResponsesClientOptions
{
    /// <summary>The server root, e.g. <c>http://localhost:8080/</c>; requests go to <c>v1/responses</c> under it. Required.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The transport. <value><see cref="SessionTransport.WebSocket"/></value></summary>
    public SessionTransport Transport { get; set; } = SessionTransport.WebSocket;

    /// <summary>
    /// The HTTP client for the HTTP transports; not owned. Null creates one over <see cref="Endpoint"/> that the session
    /// owns. When set, its <see cref="HttpClient.BaseAddress"/> must be the server root. <value>null</value>
    /// </summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>
    /// The gRPC transport's address: a server's HTTP/2 cleartext port (<c>loopwire serve --grpc-port</c>) or, over TLS, its
    /// main address. Null uses <see cref="Endpoint"/>. <value>null</value>
    /// </summary>
    public Uri? GrpcEndpoint { get; set; }

    /// <summary>How often <see cref="SessionTransport.HttpPolling"/> asks whether a response has finished. <value>250 ms</value></summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Opens WebSockets (tests pass the in-process server's client); null uses ClientWebSocket. <value>null</value></summary>
    public WebSocketConnector? Connector { get; set; }

    /// <summary>
    /// A WebSocket older than this is closed and replaced between turns, before the server's own limit (60 minutes on
    /// OpenAI and by default on Loopwire) refuses a request. <value>55 minutes</value>
    /// </summary>
    public TimeSpan MaxConnectionAge { get; set; } = TimeSpan.FromMinutes(55);

    /// <summary>
    /// How many times one turn may be re-sent with the full context after a recoverable failure
    /// (<c>previous_response_not_found</c>, <c>websocket_connection_limit_reached</c>, a dropped connection, a close before
    /// the terminal event). <value>2</value>
    /// </summary>
    [Range(0, 10)]
    public int MaxReplays { get; set; } = 2;

    /// <summary>Attempts to open a connection before the turn fails; exponential backoff with jitter between them. <value>4</value></summary>
    [Range(1, 20)]
    public int MaxConnectAttempts { get; set; } = 4;

    /// <summary>The first backoff delay between connect attempts; further attempts grow it exponentially (with jitter, Polly's
    /// decorrelated exponential backoff), up to <see cref="ReconnectMaxDelay"/>. <value>100 ms</value></summary>
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The largest backoff delay. <value>5 seconds</value></summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// After opening a WebSocket, send the first full context as a warm-up (<c>generate: false</c>) and then the turn as an
    /// empty continuation of it, the way Codex pre-warms. <value>false</value>
    /// </summary>
    public bool WarmUpAfterConnect { get; set; }

    /// <summary>
    /// After a reconnect, send the turn as a delta after the latest response first, and replay the whole context only if the
    /// server answers <c>previous_response_not_found</c>. A Loopwire server keeps a dropped connection's cache detached for a
    /// grace period (<c>Loopwire:WebSocket:DetachedCacheSeconds</c>), so the delta usually succeeds; a server that clears
    /// caches on reconnect (OpenAI) costs one extra round trip. Off: replay at once. <value>true</value>
    /// </summary>
    public bool DeltaAfterReconnect { get; set; } = true;

    /// <summary>
    /// Surface each attempt's events as they arrive instead of when the attempt has ended. Live events make a failure
    /// after the first surfaced event non-recoverable (the turn throws); buffered events (the default) let every
    /// recoverable failure be replayed transparently. <value>false</value>
    /// </summary>
    public bool SurfaceEventsLive { get; set; }

    /// <summary>WebSocket events buffered before the client stops reading the socket. <value>256</value></summary>
    [Range(1, 100_000)]
    public int ReceiveBufferEvents { get; set; } = 256;

    /// <summary>
    /// The session's id, sent as the <c>session-id</c> header on every HTTP request and on the WebSocket upgrade (the header
    /// Codex sends), so a load balancer can route a reconnect to the node that served the session before. Null: a new
    /// random id per <see cref="ResponseSession"/>. A <c>session-id</c> in <see cref="ResponsesClientOptions.Headers"/>
    /// wins over both. <value>null</value>
    /// </summary>
    public string? SessionId { get; set; }

    /// <summary>The clock (connection age, backoff, metrics). <value><see cref="TimeProvider.System"/></value></summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
