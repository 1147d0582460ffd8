using System.Buffers;
using System.Net.WebSockets;

namespace Loopwire.Protocol.Wire;

/// <summary>What <see cref="WebSocketMessageReader.ReadAsync"/> found.</summary>
public enum WebSocketMessageKind
{
    /// <summary>A complete text message; its bytes are in <see cref="WebSocketMessage.Payload"/>.</summary>
    Text,

    /// <summary>A complete binary message; its bytes are in <see cref="WebSocketMessage.Payload"/>.</summary>
    Binary,

    /// <summary>The peer sent a close frame; the socket's <c>CloseStatus</c> says why.</summary>
    Close,

    /// <summary>The message grew past the reader's cap before it ended; the rest of it was not read.</summary>
    TooBig,
}

/// <summary>One reassembled WebSocket message.</summary>
/// <param name="Kind">What arrived.</param>
/// <param name="Payload">The message's bytes for <see cref="WebSocketMessageKind.Text"/> and <see cref="WebSocketMessageKind.Binary"/>;
/// empty otherwise. Valid only until the next read or the reader's disposal.</param>
public readonly record struct WebSocketMessage(WebSocketMessageKind Kind, ReadOnlyMemory<byte> Payload);

/// <summary>
/// Reassembles WebSocket frames into whole messages, in a pooled buffer with a hard size cap. The server connection,
/// the client and the upstream WebSocket backend all read through it.
/// </summary>
/// <remarks>
/// Not thread-safe: one reader per receive loop. Between messages the reader holds no buffer: it waits with a zero-byte
/// receive, rents a buffer when a message starts, grows it as the message needs, and gives it back at the next read, so an
/// idle connection pins nothing and one large message does not pin a large buffer. The buffer a message starts with is
/// sized after the previous message (plus a quarter): a client that replays a growing history sends each message a little
/// larger than the last, and is then read without growth copies. Transport failures (<see cref="WebSocketException"/>,
/// <see cref="IOException"/>, cancellation) propagate to the caller unchanged. Dispose to return the buffer.
/// </remarks>
public sealed class WebSocketMessageReader : IDisposable
{
    /// <summary>The buffer a reader starts with, and the free space it asks each receive to fill: 16 KiB.</summary>
    public const int InitialBufferBytes = 16 * 1024;

    /// <summary>A buffer larger than this (1 MiB) is returned to the pool after the message that grew it.</summary>
    public const int RetainedBufferBytes = 1024 * 1024;

    private readonly int _maxMessageBytes;
    private byte[] _buffer = [];
    private int _length;
    private int _previousLength;
    private bool _disposed;

    /// <summary>Creates a reader.</summary>
    /// <param name="maxMessageBytes">The largest message accepted; a longer one is reported as <see cref="WebSocketMessageKind.TooBig"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessageBytes"/> is not positive.</exception>
    public WebSocketMessageReader(int maxMessageBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageBytes);
        _maxMessageBytes = maxMessageBytes;
    }

    /// <summary>The largest message accepted.</summary>
    public int MaxMessageBytes => _maxMessageBytes;

    /// <summary>Receives frames from <paramref name="socket"/> until a message ends, a close frame arrives, or the cap is passed.</summary>
    /// <param name="socket">The socket to read; a reader may move between sockets between messages.</param>
    /// <param name="cancellationToken">Cancels the receive.</param>
    /// <returns>The message; its payload is valid until the next call.</returns>
    /// <exception cref="WebSocketException">The socket failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<WebSocketMessage> ReadAsync(WebSocket socket, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ObjectDisposedException.ThrowIf(_disposed, this);

        // The previous message's buffer goes back to the pool, and the reader waits for the next one with a zero-byte
        // receive: an idle connection holds no receive buffer (with thousands of held sessions, that is most of their memory).
        Release();
        _length = 0;
        var first = await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        if (first.MessageType == WebSocketMessageType.Close)
        {
            return new WebSocketMessage(WebSocketMessageKind.Close, ReadOnlyMemory<byte>.Empty);
        }

        if (first.EndOfMessage)
        {
            return new WebSocketMessage(KindOf(first), ReadOnlyMemory<byte>.Empty);
        }

        long expected = Math.Min(_previousLength + (_previousLength / 4) + InitialBufferBytes, (long)_maxMessageBytes + InitialBufferBytes);
        _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(expected, InitialBufferBytes), Array.MaxLength));
        while (true)
        {
            if (_buffer.Length - _length < InitialBufferBytes)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + InitialBufferBytes));
                _buffer.AsSpan(0, _length).CopyTo(bigger);
                Swap(bigger, _length);
            }

            var result = await socket.ReceiveAsync(_buffer.AsMemory(_length), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return new WebSocketMessage(WebSocketMessageKind.Close, ReadOnlyMemory<byte>.Empty);
            }

            _length += result.Count;
            if (_length > _maxMessageBytes)
            {
                return new WebSocketMessage(WebSocketMessageKind.TooBig, ReadOnlyMemory<byte>.Empty);
            }

            if (result.EndOfMessage)
            {
                _previousLength = _length;
                return new WebSocketMessage(KindOf(result), _buffer.AsMemory(0, _length));
            }
        }
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        _disposed = true;
        Release();
    }

    private static WebSocketMessageKind KindOf(ValueWebSocketReceiveResult result) =>
        result.MessageType == WebSocketMessageType.Binary ? WebSocketMessageKind.Binary : WebSocketMessageKind.Text;

    private void Release()
    {
        if (_buffer.Length != 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private void Swap(byte[] next, int length)
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
        _length = length;
    }
}
