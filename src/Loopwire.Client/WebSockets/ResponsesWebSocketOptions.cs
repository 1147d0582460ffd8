using System.ComponentModel.DataAnnotations;
using System.Net.WebSockets;

namespace Loopwire.Client.WebSockets;

/// <summary>Opens a WebSocket to <paramref name="uri"/> with the given request headers.</summary>
/// <param name="uri">The <c>ws://</c> or <c>wss://</c> address of <c>/v1/responses</c>.</param>
/// <param name="headers">Request headers to send with the upgrade (authorization included).</param>
/// <param name="cancellationToken">Cancels the connect.</param>
/// <returns>The open socket; the caller owns it.</returns>
public delegate Task<WebSocket> WebSocketConnector(Uri uri, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken);

/// <summary>Options of <see cref="ResponsesWebSocketClient"/>.</summary>
public sealed class ResponsesWebSocketOptions : ResponsesClientOptions
{
    /// <summary>
    /// Opens the socket. Null uses <see cref="ClientWebSocket"/>; tests pass the in-process test server's client.
    /// <value>null</value>
    /// </summary>
    public WebSocketConnector? Connector { get; set; }

    /// <summary>
    /// Events received but not yet read. When the buffer is full the client stops reading the socket, so a slow reader
    /// makes the server wait instead of growing memory. <value>256</value>
    /// </summary>
    [Range(1, 100_000)]
    public int ReceiveBufferEvents { get; set; } = 256;

    /// <summary>The largest message accepted; a bigger one aborts the connection. <value>16 MiB</value></summary>
    [Range(1024, int.MaxValue)]
    public int MaxMessageBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Keep-alive pings of <see cref="ClientWebSocket"/>; zero disables. <value>30 seconds</value></summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock (connection age). <value><see cref="TimeProvider.System"/></value></summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
