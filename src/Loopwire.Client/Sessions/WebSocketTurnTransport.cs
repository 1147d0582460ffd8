using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Client.Sessions;

/// <summary>One persistent WebSocket; continuations (delta) when <c>previous_response_id</c> is allowed, else the full conversation.</summary>
/// <remarks>
/// The server keeps the latest response in the connection's memory (per lane), so a chain is bound to its connection.
/// Lane transports share their owner's connection and send on their own <c>stream_id</c>.
/// </remarks>
internal sealed class WebSocketTurnTransport : ITurnTransport
{
    private readonly WebSocketConnectionManager _connections;
    private readonly string? _streamId;
    private readonly bool _ownsConnection;
    private WebSockets.ResponsesWebSocketClient? _used;

    /// <param name="connections">The session's connection; owned unless <paramref name="streamId"/> is set.</param>
    /// <param name="supportsDelta">False for full replay on every turn.</param>
    /// <param name="streamId">The lane; null for the default lane (the owner).</param>
    public WebSocketTurnTransport(WebSocketConnectionManager connections, bool supportsDelta, string? streamId = null)
    {
        _connections = connections;
        SupportsDelta = supportsDelta;
        _streamId = streamId;
        _ownsConnection = streamId is null;
    }

    /// <summary>The shared connection (lanes are created over it).</summary>
    public WebSocketConnectionManager Connections => _connections;

    public bool SupportsDelta { get; }

    public bool? ForcedStore => null;

    public bool IsStateful => true;

    public object? Connection => _connections.Current;

    public bool IsFreshConnection => _connections.ResponsesOnConnection == 0;

    public Task<int> PrepareAsync(CancellationToken cancellationToken) => _connections.EnsureOpenAsync(cancellationToken);

    public Task<int> ReconnectAsync(CancellationToken cancellationToken) => _connections.ReconnectAsync(_used, cancellationToken);

    public IAsyncEnumerable<ResponseEvent> SendAsync(CreateResponseRequest request, TransferCounter counter, CancellationToken cancellationToken)
    {
        var client = _connections.Current ?? throw new InvalidOperationException("No connection is open; call PrepareAsync first.");
        _used = client;
        return client.StreamCoreAsync(_streamId is null ? request : request with { StreamId = _streamId }, counter, cancellationToken);
    }

    public void ResponseCompleted() => _connections.CountResponse();

    public ValueTask DisposeAsync() => _ownsConnection ? _connections.DisposeAsync() : ValueTask.CompletedTask;
}
