using System.Runtime.CompilerServices;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Server.Background;

/// <summary>One background response: its cancellation, its bounded event buffer and the signal live readers wait on.</summary>
/// <remarks>
/// One writer (the run) appends; any number of readers follow. Sequence numbers are contiguous from 0, so event
/// <c>n</c> lives at <c>n % capacity</c> of a ring; the oldest events are overwritten once the ring is full.
/// Thread-safe.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The CTS owns no timer and no registration; a late Cancel after the run is forgotten must stay harmless.")]
internal sealed class BackgroundRun
{
    private readonly Lock _gate = new();
    private readonly ResponseEvent[] _ring;
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _next;
    private bool _sealed;
    private bool _finished;
    private bool _lost;
    private ResponseObject? _final;

    public BackgroundRun(string id, string? tenant, int capacity)
    {
        Id = id;
        Tenant = tenant;
        _ring = new ResponseEvent[capacity];
    }

    public string Id { get; }

    public string? Tenant { get; }

    public int Capacity => _ring.Length;

    /// <summary>Forgets the run after the retention time.</summary>
    public ITimer? RemovalTimer { get; set; }

    /// <summary>Cancelled by <see cref="Cancel"/> or at shutdown.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>Completes when the run has stored its final status and appended its last event.</summary>
    public Task Completion => _done.Task;

    /// <summary>The final response object, once finished (null if it could not be built).</summary>
    public ResponseObject? Final
    {
        get
        {
            lock (_gate)
            {
                return _final;
            }
        }
    }

    public bool IsFinished
    {
        get
        {
            lock (_gate)
            {
                return _finished;
            }
        }
    }

    /// <summary>The sequence number the next event will get.</summary>
    public int NextSequence
    {
        get
        {
            lock (_gate)
            {
                return _next;
            }
        }
    }

    /// <summary>The oldest sequence number still in the buffer.</summary>
    public int FirstAvailable
    {
        get
        {
            lock (_gate)
            {
                return Math.Max(0, _next - _ring.Length);
            }
        }
    }

    /// <summary>True once another node declared this run's lease expired: the run stops and stores nothing more.</summary>
    public bool Lost
    {
        get
        {
            lock (_gate)
            {
                return _lost;
            }
        }
    }

    /// <summary>Marks the run lost (its lease was taken over) and cancels it.</summary>
    public void MarkLost()
    {
        lock (_gate)
        {
            _lost = true;
        }

        Cancel();
    }

    /// <summary>Requests cancellation; false when the run had already finished.</summary>
    public bool Cancel()
    {
        if (IsFinished)
        {
            return false;
        }

        // The CTS is never disposed (it owns no timer and no registration), so a late Cancel is harmless.
        _cts.Cancel();
        return true;
    }

    /// <summary>Appends an event; events the engine produced keep their number, others get the next one.</summary>
    public void Append(ResponseEvent e, bool renumber = false)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (renumber)
            {
                e = e with { SequenceNumber = _next };
            }
            else if (e.SequenceNumber != _next)
            {
                throw new InvalidOperationException($"Event {e.SequenceNumber} appended where {_next} was expected.");
            }

            _ring[_next % _ring.Length] = e;
            _next++;
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>No event follows: the event-log writer flushes what is left and stops.</summary>
    public void Seal()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _sealed = true;
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>
    /// Copies the events from <paramref name="cursor"/> on (or from the oldest kept one, if the ring overwrote it) into
    /// <paramref name="batch"/>, for the event-log writer.
    /// </summary>
    /// <returns>The sequence number of the first event copied (or of the next one), whether the run is sealed, and the signal of the next change.</returns>
    public (int From, bool Sealed, Task Changed) CopySince(int cursor, List<ResponseEvent> batch)
    {
        lock (_gate)
        {
            int from = Math.Max(cursor, Math.Max(0, _next - _ring.Length));
            for (int i = from; i < _next; i++)
            {
                batch.Add(_ring[i % _ring.Length]);
            }

            return (from, _sealed, _changed.Task);
        }
    }

    /// <summary>Marks the run finished: readers drain what is left and stop.</summary>
    public void Finish(ResponseObject? final)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _sealed = true;
            _finished = true;
            _final = final;
            changed = _changed;
        }

        changed.TrySetResult();
        _done.TrySetResult();
    }

    /// <summary>
    /// Yields the events after <paramref name="startingAfter"/> (-1 for all), then live ones until the run finishes.
    /// Ends early, without a terminal event, when the reader fell so far behind that the ring overwrote its next
    /// event: nothing fake is sent, and the client's resume then gets the error that names the limit.
    /// </summary>
    public async IAsyncEnumerable<ResponseEvent> FollowAsync(int startingAfter, [EnumeratorCancellation] CancellationToken ct = default)
    {
        int cursor = startingAfter + 1;
        var batch = new List<ResponseEvent>();
        while (true)
        {
            Task changed;
            bool done;
            lock (_gate)
            {
                if (cursor < Math.Max(0, _next - _ring.Length))
                {
                    yield break;
                }

                for (; cursor < _next; cursor++)
                {
                    batch.Add(_ring[cursor % _ring.Length]);
                }

                done = _finished;
                changed = _changed.Task;
            }

            foreach (var e in batch)
            {
                yield return e;
            }

            batch.Clear();
            if (done)
            {
                yield break;
            }

            await changed.WaitAsync(ct).ConfigureAwait(false);
        }
    }
}
