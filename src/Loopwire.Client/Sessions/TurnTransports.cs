using Loopwire.Client.WebSockets;

namespace Loopwire.Client.Sessions;

/// <summary>Builds the <see cref="ITurnTransport"/> a <see cref="ResponseSession"/> uses for its <see cref="SessionTransport"/>.</summary>
internal static class TurnTransports
{
    private const string ResponsesPath = "v1/responses";

    /// <param name="options">The session options.</param>
    /// <param name="headers">The request headers (the user's, plus the session's <c>session-id</c>).</param>
    /// <param name="recovery">How the WebSocket transport reconnects.</param>
    public static ITurnTransport Create(ResponseSessionOptions options, IDictionary<string, string> headers, RecoveryPolicy recovery)
    {
        var root = options.Endpoint!.AbsoluteUri.EndsWith('/') ? options.Endpoint : new Uri(options.Endpoint.AbsoluteUri + "/");
        if (options.Transport is SessionTransport.HttpChained or SessionTransport.HttpStateless)
        {
            return new HttpTurnTransport(options, headers, root, chained: options.Transport == SessionTransport.HttpChained);
        }

        if (options.Transport == SessionTransport.HttpPolling)
        {
            return new PollingTurnTransport(options, headers, root);
        }

        if (options.Transport == SessionTransport.Grpc)
        {
            return new GrpcTurnTransport(options, headers, options.GrpcEndpoint ?? root);
        }

        var wsOptions = new ResponsesWebSocketOptions
        {
            ApiKey = options.ApiKey,
            Headers = headers,
            Connector = options.Connector,
            ReceiveBufferEvents = options.ReceiveBufferEvents,
            TimeProvider = options.TimeProvider,
        };
#pragma warning disable CA2000 // The transport owns the connection manager and disposes it with itself.
        var connections = new WebSocketConnectionManager(new Uri(root, ResponsesPath), wsOptions, options.MaxConnectionAge, recovery);
#pragma warning restore CA2000
        return new WebSocketTurnTransport(connections, supportsDelta: options.Transport == SessionTransport.WebSocket);
    }
}
