namespace Loopwire.Client.Sessions;

/// <summary>How a <see cref="ResponseSession"/> talks to the server. The API and the conversation are the same for all.</summary>
public enum SessionTransport
{
    /// <summary>
    /// One persistent WebSocket; when the conversation extends the previous response, only the new items are sent with
    /// <c>previous_response_id</c> (the server keeps the latest response in memory). <c>store</c> defaults to false.
    /// </summary>
    WebSocket,

    /// <summary>One persistent WebSocket, the full conversation on every turn (no <c>previous_response_id</c>).</summary>
    WebSocketFullReplay,

    /// <summary>HTTP + SSE with <c>store: true</c>; continuations send the new items with <c>previous_response_id</c>.</summary>
    HttpChained,

    /// <summary>HTTP + SSE with <c>store: false</c>; the full conversation on every call.</summary>
    HttpStateless,

    /// <summary>
    /// HTTP with <c>background: true</c> (so <c>store: true</c>) and continuations, then <c>GET /v1/responses/{id}</c> every
    /// <see cref="ResponseSessionOptions.PollInterval"/> until the response is terminal: no stream, one terminal event.
    /// </summary>
    HttpPolling,

    /// <summary>
    /// One persistent gRPC bidirectional stream (HTTP/2) carrying WebSocket mode's messages: the new items with
    /// <c>previous_response_id</c>, as over <see cref="WebSocket"/>. Its address is <see cref="ResponseSessionOptions.GrpcEndpoint"/>.
    /// </summary>
    Grpc,
}
