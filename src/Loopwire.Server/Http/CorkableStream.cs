using System.Buffers;

namespace Loopwire.Server.Http;

/// <summary>
/// The transport under a connection's WebSocket (and under an SSE response's formatter), able to hold writes back (like
/// TCP_CORK): while corked, the frames written are copied into one buffer, and <see cref="UncorkAsync"/> writes them to the
/// transport in one write (one flush, one wake-up of Kestrel's socket sender) instead of one each.
/// </summary>
/// <remarks>
/// The send side corks while the events it sends are ready faster than the socket takes them, and uncorks before it waits for
/// anything (see <see cref="OutboundSender"/>): a frame is held back only while the next one is being produced, never across a
/// wait. Writes keep their order: the buffer goes out before any later write, and one write reaches the transport at a time
/// (the socket's own control frames, a pong or a close, may be written from another thread). A corked buffer that would grow
/// past <see cref="MaxCorkedBytes"/> is written at once. An idle connection holds no buffer.
/// </remarks>
/// <param name="inner">The transport.</param>
/// <param name="leaveOpen">Whether disposing this stream leaves <paramref name="inner"/> open (a response body).</param>
internal sealed class CorkableStream(Stream inner, bool leaveOpen = false) : Stream
{
    /// <summary>The most bytes held back; a write that would pass it sends the buffer and itself at once.</summary>
    public const int MaxCorkedBytes = 32 * 1024;

    private readonly Lock _sync = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _pending;
    private int _length;
    private bool _corked;

    /// <summary>Bytes held back now (tests).</summary>
    public int Pending
    {
        get
        {
            lock (_sync)
            {
                return _length;
            }
        }
    }

    /// <summary>Whether writes are held back now: a write that passed the limit went out, but the stream stays corked.</summary>
    public bool IsCorked
    {
        get
        {
            lock (_sync)
            {
                return _corked;
            }
        }
    }

    /// <summary>Holds later writes back until <see cref="UncorkAsync"/>.</summary>
    public void Cork()
    {
        lock (_sync)
        {
            _corked = true;
        }
    }

    /// <summary>Writes what was held back, in one write, and lets later writes through.</summary>
    /// <returns>Completes when the transport took the bytes (it waits while the peer does not read).</returns>
    public ValueTask UncorkAsync(CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            _corked = false;
            if (_length == 0)
            {
                return default;
            }
        }

        return WriteThroughAsync(ReadOnlyMemory<byte>.Empty, flush: true, cancellationToken);
    }

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        bool corked;
        lock (_sync)
        {
            corked = _corked;
            if (corked && _length + buffer.Length <= MaxCorkedBytes)
            {
                if (_pending is null || _pending.Length < _length + buffer.Length)
                {
                    Grow(_length + buffer.Length);
                }

                buffer.Span.CopyTo(_pending.AsSpan(_length));
                _length += buffer.Length;
                return default;
            }
        }

        // Uncorked, or past the limit while corked: the socket's own flush after the frame is swallowed while corked, so a
        // frame written through then is flushed here.
        return WriteThroughAsync(buffer, flush: corked, cancellationToken);
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>While corked, nothing: the bytes go out at <see cref="UncorkAsync"/> (the socket flushes after every frame).</summary>
    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            if (_corked)
            {
                return Task.CompletedTask;
            }
        }

        return WriteThroughAsync(ReadOnlyMemory<byte>.Empty, flush: true, cancellationToken).AsTask();
    }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <inheritdoc />
    public override bool CanRead => inner.CanRead;

    /// <inheritdoc />
    public override bool CanWrite => inner.CanWrite;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (!leaveOpen)
            {
                inner.Dispose();
            }

            lock (_sync)
            {
                // A writer that took the buffer returns it itself.
                ReturnPending();
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>Writes the held-back bytes, then <paramref name="buffer"/>, then flushes if asked; one writer of the transport at a time.</summary>
    private async ValueTask WriteThroughAsync(ReadOnlyMemory<byte> buffer, bool flush, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        byte[]? pending = null;
        try
        {
            // Taken after the gate: a write that got the gate first wrote what was held back before it.
            int length;
            lock (_sync)
            {
                pending = _pending;
                length = _length;
                _pending = null;
                _length = 0;
            }

            if (length > 0)
            {
                await inner.WriteAsync(pending.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            }

            if (!buffer.IsEmpty)
            {
                await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            }

            if (flush)
            {
                await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
            if (pending is not null)
            {
                ArrayPool<byte>.Shared.Return(pending);
            }
        }
    }

    private void Grow(int needed)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Min(MaxCorkedBytes, Math.Max(4096, (_pending?.Length ?? 0) * 2))));
        if (_pending is not null)
        {
            _pending.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_pending);
        }

        _pending = bigger;
    }

    private void ReturnPending()
    {
        if (_pending is not null)
        {
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = null;
            _length = 0;
        }
    }
}
