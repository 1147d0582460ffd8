using System.Buffers;

namespace Loopwire.Protocol.Wire;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over an array rented from <see cref="ArrayPool{T}.Shared"/> that can give its array back
/// while idle (<see cref="Release"/>) and rents again on the next write: a held connection keeps no send buffer.
/// </summary>
/// <remarks>Not thread-safe: one writer per send loop. Shared by the WebSocket send side and the event writer.</remarks>
/// <param name="initialBytes">The size of the first array rented.</param>
public sealed class PooledBufferWriter(int initialBytes) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = [];
    private int _written;

    /// <summary>The bytes written since the last <see cref="Clear"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    /// <summary>The size of the array held now (0 when released).</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Forgets what was written; keeps the array.</summary>
    public void Clear() => _written = 0;

    /// <summary>Returns the array to the pool; the next write rents one.</summary>
    public void Release()
    {
        _written = 0;
        if (_buffer.Length != 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    /// <inheritdoc />
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _written);
        _written += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <inheritdoc />
    public void Dispose() => Release();

    private void Ensure(int sizeHint)
    {
        int need = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= need)
        {
            return;
        }

        var next = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(initialBytes, _buffer.Length * 2), _written + need));
        _buffer.AsSpan(0, _written).CopyTo(next);
        if (_buffer.Length != 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = next;
    }
}
