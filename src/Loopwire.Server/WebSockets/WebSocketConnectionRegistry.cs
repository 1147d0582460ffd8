using System.Collections.Concurrent;

namespace Loopwire.Server.WebSockets;

/// <summary>The open WebSocket connections (for shutdown, limits and stats).</summary>
internal sealed class WebSocketConnectionRegistry
{
    private readonly ConcurrentDictionary<ResponsesWebSocketConnection, byte> _open = new();

    public int Count => _open.Count;

    /// <summary>The open connections at this moment (tests and stats).</summary>
    public IReadOnlyList<ResponsesWebSocketConnection> Snapshot() => [.. _open.Keys];

    public IDisposable Add(ResponsesWebSocketConnection connection)
    {
        _open[connection] = 0;
        return new Registration(this, connection);
    }

    private sealed class Registration(WebSocketConnectionRegistry owner, ResponsesWebSocketConnection connection) : IDisposable
    {
        public void Dispose() => owner._open.TryRemove(connection, out _);
    }
}
