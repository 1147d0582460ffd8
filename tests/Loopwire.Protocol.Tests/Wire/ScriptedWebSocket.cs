using System.Net.WebSockets;

namespace Loopwire.Protocol.Tests.Wire;

/// <summary>A receive-only WebSocket that hands out scripted frames, split to the caller's buffer size like a real socket.</summary>
internal sealed class ScriptedWebSocket(params ScriptedWebSocket.Frame[] frames) : WebSocket
{
    private readonly Queue<Frame> _frames = new(frames);
    private int _offset;

    /// <summary>Receives that asked for bytes (zero-byte receives, which wait for data without a buffer, are counted apart).</summary>
    public int Receives { get; private set; }

    /// <summary>Zero-byte receives.</summary>
    public int ZeroByteReceives { get; private set; }

    public override WebSocketCloseStatus? CloseStatus => null;

    public override string? CloseStatusDescription => null;

    public override WebSocketState State => WebSocketState.Open;

    public override string? SubProtocol => null;

    public static Frame Text(string text, bool end = true) => new(System.Text.Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, end);

    public static Frame Binary(byte[] bytes, bool end = true) => new(bytes, WebSocketMessageType.Binary, end);

    public static Frame Close() => new([], WebSocketMessageType.Close, true);

    public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (buffer.Length == 0)
        {
            ZeroByteReceives++;
        }
        else
        {
            Receives++;
        }

        if (!_frames.TryPeek(out var frame))
        {
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely);
        }

        int n = Math.Min(buffer.Length, frame.Payload.Length - _offset);
        frame.Payload.AsSpan(_offset, n).CopyTo(buffer.Span);
        _offset += n;
        bool frameDone = _offset == frame.Payload.Length;
        if (frameDone)
        {
            _frames.Dequeue();
            _offset = 0;
        }

        return ValueTask.FromResult(new ValueWebSocketReceiveResult(n, frame.Type, frameDone && frame.EndOfMessage));
    }

    public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Abort()
    {
    }

    public override void Dispose()
    {
    }

    internal sealed record Frame(byte[] Payload, WebSocketMessageType Type, bool EndOfMessage);
}
