using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Client.Sessions;

/// <summary>One persistent WebSocket; continuations (delta) when <c>previous_response_id</c> is allowed, else the full conversation.</summary>
/// <remarks>The server keeps the latest response in the connection's memory, so a chain is bound to its connection.</remarks>
internal sealed class WebSocketTurnTransport : ITurnTransport
{
    private readonly WebSocketConnectionManager _connections;

    /// <param name="connections">The session's connection; owned.</param>
    /// <param name="supportsDelta">False for full replay on every turn.</param>
    public WebSocketTurnTransport(WebSocketConnectionManager connections, bool supportsDelta)
    {
        _connections = connections;
        SupportsDelta = supportsDelta;
    }

    public bool SupportsDelta { get; }

    public bool? ForcedStore => null;

    public bool IsStateful => true;

    public object? Connection => _connections.Current;

    public bool IsFreshConnection => _connections.ResponsesOnConnection == 0;

    public Task<int> PrepareAsync(CancellationToken cancellationToken) => _connections.EnsureOpenAsync(cancellationToken);

    public Task<int> ReconnectAsync(CancellationToken cancellationToken) => _connections.ReconnectAsync(cancellationToken);

    public IAsyncEnumerable<ResponseEvent> SendAsync(CreateResponseRequest request, TransferCounter counter, CancellationToken cancellationToken) =>
        (_connections.Current ?? throw new InvalidOperationException("No connection is open; call PrepareAsync first."))
            .StreamCoreAsync(request, counter, cancellationToken);

    public void ResponseCompleted() => _connections.CountResponse();

    public ValueTask DisposeAsync() => _connections.DisposeAsync();
}
