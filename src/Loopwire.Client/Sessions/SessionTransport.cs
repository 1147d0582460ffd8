namespace Loopwire.Client.Sessions;

/// <summary>How a <see cref="ResponseSession"/> talks to the server. The API and the conversation are the same for all four.</summary>
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
}
