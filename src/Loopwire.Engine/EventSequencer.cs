using Loopwire.Protocol.Streaming;

namespace Loopwire.Engine;

/// <summary>Numbers the events of one response: contiguous <c>sequence_number</c>s from 0.</summary>
/// <remarks>One per response; not thread-safe.</remarks>
internal sealed class EventSequencer
{
    private int _next;

    /// <summary>The number the next event gets.</summary>
    public int NextNumber => _next;

    /// <summary>Takes the next number, for an event built with it (no copy, unlike <see cref="Next{T}"/>).</summary>
    public int Take() => _next++;

    /// <summary>Returns <paramref name="e"/> with the next sequence number.</summary>
    public T Next<T>(T e) where T : ResponseEvent => e with { SequenceNumber = _next++ };
}
