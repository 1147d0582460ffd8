using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace Loopwire.Engine.Backends.Responses;

/// <summary>An upstream WebSocket of <see cref="ResponsesWebSocketBackend"/> and the conversation it carries.</summary>
internal sealed class UpstreamSocket
{
    public UpstreamSocket(ClientWebSocket socket)
    {
        Socket = socket;
        Node = new LinkedListNode<UpstreamSocket>(this);
    }

    public ClientWebSocket Socket { get; }

    public bool IsOpen => Socket.State == WebSocketState.Open;

    public LinkedListNode<UpstreamSocket> Node { get; }

    /// <summary>The downstream response id it is pooled under.</summary>
    public string? Key { get; set; }

    /// <summary>The upstream's id of the last response on this socket: what a delta chains on.</summary>
    public string? UpstreamResponseId { get; set; }

    private readonly Lock _sendLock = new();
    private Task _sends = Task.CompletedTask;
    private volatile bool _steerSent;

    /// <summary>
    /// True once a steer was passed to the upstream on this socket's current response: the upstream may be generating (or about to
    /// generate) its successor here, so only that successor may read this socket next.
    /// </summary>
    public bool SteerSent
    {
        get => _steerSent;
        set => _steerSent = value;
    }

    /// <summary>Queues a send behind the ones still in flight (a WebSocket takes one send at a time).</summary>
    public void Send(Func<ClientWebSocket, Task<ModelFailed?>> send)
    {
        lock (_sendLock)
        {
            _sends = _sends.ContinueWith(_ => send(Socket), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }
    }
}

/// <summary>
/// The idle upstream sockets, keyed by the downstream response id whose conversation each carries, with least recently
/// used eviction above <see cref="UpstreamBackendOptions.MaxConnections"/> open sockets (in use and pooled).
/// </summary>
/// <remarks>Thread-safe. Counts every socket it is told about (<see cref="Opened"/>) until it closes it.</remarks>
internal sealed class UpstreamSocketPool(string name, int maxConnections, TimeProvider time, ILogger logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, UpstreamSocket> _pool = new(StringComparer.Ordinal);
    private readonly LinkedList<UpstreamSocket> _lru = new();
    private int _open;

    /// <summary>Sockets open now (in use and pooled).</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Counts a socket just opened.</summary>
    public UpstreamSocket Opened(ClientWebSocket socket)
    {
        int open = Interlocked.Increment(ref _open);
        UpstreamLog.Socket(logger, name, "opened", open);
        return new UpstreamSocket(socket);
    }

    /// <summary>Takes the socket that carries the conversation of <paramref name="previousResponseId"/>, if pooled.</summary>
    public UpstreamSocket? Take(string? previousResponseId)
    {
        if (previousResponseId is null)
        {
            return null;
        }

        lock (_lock)
        {
            if (_pool.Remove(previousResponseId, out var s))
            {
                _lru.Remove(s.Node);
                return s;
            }
        }

        return null;
    }

    /// <summary>When the pool is full, a new conversation takes over the least recently used socket instead of opening one.</summary>
    public UpstreamSocket? TakeOldest()
    {
        lock (_lock)
        {
            if (Volatile.Read(ref _open) < maxConnections || _lru.First is not { } oldest)
            {
                return null;
            }

            _lru.RemoveFirst();
            _pool.Remove(oldest.Value.Key!);
            oldest.Value.UpstreamResponseId = null;
            return oldest.Value;
        }
    }

    /// <summary>Pools a socket under the downstream response it just finished, closing the least recently used beyond the cap.</summary>
    public async Task ReturnAsync(string responseId, UpstreamSocket session)
    {
        var evicted = new List<UpstreamSocket>();
        lock (_lock)
        {
            session.Key = responseId;
            _pool[responseId] = session;
            _lru.AddLast(session.Node);
            while (Volatile.Read(ref _open) - evicted.Count > maxConnections && _lru.First is { } oldest && oldest.Value != session)
            {
                _lru.RemoveFirst();
                _pool.Remove(oldest.Value.Key!);
                evicted.Add(oldest.Value);
            }
        }

        foreach (var s in evicted)
        {
            await CloseAsync(s, "evicted").ConfigureAwait(false);
        }
    }

    /// <summary>Closes a socket (a short, bounded close handshake, then abort) and stops counting it.</summary>
    public async Task CloseAsync(UpstreamSocket session, string reason)
    {
        int open = Interlocked.Decrement(ref _open);
        UpstreamLog.Socket(logger, name, "closed: " + reason, open);
        var ws = session.Socket;
        if (ws.State == WebSocketState.Open)
        {
            // A socket in the middle of a response does not answer the handshake in time and is aborted instead.
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2), time);
            try
            {
                await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason.Length > 100 ? null : reason, cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        ws.Abort();
        ws.Dispose();
    }

    /// <summary>Closes every pooled socket.</summary>
    public async Task CloseAllAsync(string reason)
    {
        List<UpstreamSocket> sessions;
        lock (_lock)
        {
            sessions = [.. _lru];
            _lru.Clear();
            _pool.Clear();
        }

        foreach (var s in sessions)
        {
            await CloseAsync(s, reason).ConfigureAwait(false);
        }
    }
}
