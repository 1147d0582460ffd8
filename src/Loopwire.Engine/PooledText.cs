using System.Buffers;

namespace Loopwire.Engine;

/// <summary>
/// Text built up piece by piece (an output item's deltas) in an array rented from <see cref="ArrayPool{T}.Shared"/>: no
/// chunks left behind as it grows, and the array goes back to the pool when the text is taken.
/// </summary>
/// <remarks>Not thread-safe; one per item being written. An instance never cleared only leaves its array to the GC.</remarks>
internal sealed class PooledText
{
    private char[] _chars = [];
    private int _length;

    /// <summary>Characters appended since the last <see cref="Clear"/>.</summary>
    public int Length => _length;

    /// <summary>Appends <paramref name="text"/>.</summary>
    public void Append(string text)
    {
        if (_length + text.Length > _chars.Length)
        {
            Grow(_length + text.Length);
        }

        text.CopyTo(_chars.AsSpan(_length));
        _length += text.Length;
    }

    /// <summary>The text appended so far.</summary>
    public override string ToString() => _length == 0 ? string.Empty : new string(_chars, 0, _length);

    /// <summary>Forgets the text and gives the array back.</summary>
    public void Clear()
    {
        _length = 0;
        if (_chars.Length != 0)
        {
            ArrayPool<char>.Shared.Return(_chars);
            _chars = [];
        }
    }

    private void Grow(int needed)
    {
        var bigger = ArrayPool<char>.Shared.Rent(Math.Max(needed, Math.Max(256, _chars.Length * 2)));
        _chars.AsSpan(0, _length).CopyTo(bigger);
        if (_chars.Length != 0)
        {
            ArrayPool<char>.Shared.Return(_chars);
        }

        _chars = bigger;
    }
}
