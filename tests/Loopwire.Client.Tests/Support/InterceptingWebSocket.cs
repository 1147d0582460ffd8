using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace Loopwire.Client.Tests.Support;

/// <summary>What to do with a message the client sends.</summary>
/// <param name="Inject">Messages delivered to the client instead of forwarding the sent one.</param>
/// <param name="ThenDrop">Drop the connection after delivering them.</param>
public sealed record Interception(IReadOnlyList<string> Inject, bool ThenDrop = false);

/// <summary>
/// A WebSocket wrapper for tests: records what the client sends, and can answer a message itself (an injected error
/// envelope) or drop the connection. A pump reads the real socket so injected messages can be interleaved.
/// </summary>
public sealed class InterceptingWebSocket : WebSocket
{
    private readonly WebSocket _inner;
    private readonly Channel<Frame> _frames = Channel.CreateUnbounded<Frame>();
    private readonly List<string> _sent = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private Frame? _current;
    private int _offset;
    private volatile bool _dropped;
    private WebSocketCloseStatus? _closeStatus;
    private string? _closeDescription;

    public InterceptingWebSocket(WebSocket inner)
    {
        _inner = inner;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Decides, per sent message, whether to intercept it; null forwards it.</summary>
    public Func<string, Interception?>? Intercept { get; set; }

    public IReadOnlyList<string> Sent
    {
        get
        {
            lock (_sent)
            {
                return [.. _sent];
            }
        }
    }

    public override WebSocketCloseStatus? CloseStatus => _closeStatus ?? _inner.CloseStatus;

    public override string? CloseStatusDescription => _closeDescription ?? _inner.CloseStatusDescription;

    public override string? SubProtocol => _inner.SubProtocol;

    public override WebSocketState State => _dropped ? WebSocketState.Aborted : _inner.State;

    /// <summary>Simulates a network drop: the client's next receive fails.</summary>
    public void Drop()
    {
        _dropped = true;
        _frames.Writer.TryComplete(new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "dropped by the test"));
        _inner.Abort();
    }

    public override void Abort()
    {
        _dropped = true;
        _frames.Writer.TryComplete(new WebSocketException(WebSocketError.InvalidState, "aborted"));
        _inner.Abort();
        _stop.Cancel();
    }

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        _dropped ? Task.CompletedTask : _inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override void Dispose()
    {
        _stop.Cancel();
        _inner.Dispose();
    }

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        if (_current is null)
        {
            try
            {
                _current = await _frames.Reader.ReadAsync(cancellationToken);
            }
            catch (ChannelClosedException ex) when (ex.InnerException is not null)
            {
                throw ex.InnerException;
            }

            _offset = 0;
        }

        var frame = _current;
        if (frame.Close is { } status)
        {
            _closeStatus = status;
            _closeDescription = frame.Description;
            _current = null;
            return new WebSocketReceiveResult(0, WebSocketMessageType.Close, true, status, frame.Description);
        }

        int n = Math.Min(buffer.Count, frame.Data.Length - _offset);
        frame.Data.AsSpan(_offset, n).CopyTo(buffer.AsSpan());
        _offset += n;
        bool done = _offset == frame.Data.Length;
        if (done)
        {
            _current = null;
        }

        return new WebSocketReceiveResult(n, frame.Type, done && frame.EndOfMessage);
    }

    private readonly List<byte> _pendingSend = [];

    public override async Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        if (_dropped)
        {
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "dropped by the test");
        }

        _pendingSend.AddRange(buffer);
        if (!endOfMessage)
        {
            return;
        }

        string text = Encoding.UTF8.GetString([.. _pendingSend]);
        _pendingSend.Clear();
        lock (_sent)
        {
            _sent.Add(text);
        }

        if (Intercept?.Invoke(text) is { } interception)
        {
            foreach (var message in interception.Inject)
            {
                _frames.Writer.TryWrite(new Frame(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, null, null));
            }

            if (interception.ThenDrop)
            {
                // Let the injected messages be read first, then fail the next receive.
                _dropped = true;
                _frames.Writer.TryComplete(new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "dropped by the test"));
                _inner.Abort();
            }

            return;
        }

        await _inner.SendAsync(Encoding.UTF8.GetBytes(text), messageType, true, cancellationToken);
    }

    private async Task PumpAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await _inner.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _frames.Writer.TryWrite(new Frame([], WebSocketMessageType.Close, true, result.CloseStatus ?? WebSocketCloseStatus.Empty, result.CloseStatusDescription));
                    _frames.Writer.TryComplete();
                    return;
                }

                _frames.Writer.TryWrite(new Frame(buffer.AsSpan(0, result.Count).ToArray(), result.MessageType, result.EndOfMessage, null, null));
            }
        }
        catch (Exception ex)
        {
            _frames.Writer.TryComplete(ex is OperationCanceledException ? new WebSocketException(WebSocketError.InvalidState, "aborted") : ex);
        }
    }

    private sealed record Frame(byte[] Data, WebSocketMessageType Type, bool EndOfMessage, WebSocketCloseStatus? Close, string? Description);
}
