using Loopwire.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.WebSockets;

/// <summary>Something that holds a conversation and can pack it once idle: a lane's cache, a detached cache entry.</summary>
internal abstract class IdleTarget
{
    private long _lastActive;
    private int _queued;

    /// <summary>When the target was last used (a <see cref="TimeProvider"/> timestamp).</summary>
    internal long LastActive
    {
        get => Volatile.Read(ref _lastActive);
        set => Volatile.Write(ref _lastActive, value);
    }

    /// <summary>Marks the target queued; false when it already was.</summary>
    internal bool MarkQueued() => Interlocked.CompareExchange(ref _queued, 1, 0) == 0;

    /// <summary>Marks the target no longer queued (it is about to be packed, or dropped).</summary>
    internal void ClearQueued() => Volatile.Write(ref _queued, 0);

    /// <summary>Packs the target's conversation if nothing uses it now; serialised with the target's own work.</summary>
    internal abstract void PackIfIdle();
}

/// <summary>
/// Packs the conversations of WebSocket sessions that stayed idle for <see cref="WebSocketModeOptions.PackIdleAfter"/>
/// (the connection caches, and detached caches after a drop): their items become compressed JSON and their tokens compressed
/// ints, and the next turn unpacks them (see <c>ConversationState.TryPack</c>).
/// </summary>
/// <remarks>
/// One timer for the whole server, however many sessions: each used target is queued once, by the time it becomes due; a tick
/// takes the due ones, re-queues those used again meanwhile and packs the rest. Thread-safe.
/// </remarks>
internal sealed class IdlePacker : IDisposable
{
    private static readonly TimeSpan MinTick = TimeSpan.FromMilliseconds(50);

    private readonly PriorityQueue<IdleTarget, long> _due = new();
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _after;
    private readonly ITimer? _timer;
    private long _packed;

    public IdlePacker(IOptions<LoopwireServerOptions> options, TimeProvider time)
    {
        _time = time;
        var after = options.Value.WebSocket.PackIdleAfter;
        After = after;
        _after = (long)(after.TotalSeconds * time.TimestampFrequency);
        if (Enabled)
        {
            var tick = TimeSpan.FromTicks(Math.Max(after.Ticks / 4, MinTick.Ticks));
            _timer = time.CreateTimer(_ => Tick(), null, tick, tick);
        }
    }

    /// <summary>The idle time after which a conversation is packed; zero: never.</summary>
    public TimeSpan After { get; }

    /// <summary>Whether idle conversations are packed at all.</summary>
    public bool Enabled => After > TimeSpan.Zero;

    /// <summary>Conversations packed so far.</summary>
    public long Packed => Interlocked.Read(ref _packed);

    /// <summary>Conversations waiting for their idle time to pass.</summary>
    public int Queued
    {
        get
        {
            lock (_lock)
            {
                return _due.Count;
            }
        }
    }

    /// <summary>The target was just used: it is packed once idle for <see cref="After"/> from now (unless used again).</summary>
    public void Touch(IdleTarget target)
    {
        if (!Enabled)
        {
            return;
        }

        long now = _time.GetTimestamp();
        target.LastActive = now;
        if (target.MarkQueued())
        {
            lock (_lock)
            {
                _due.Enqueue(target, now + _after);
            }
        }
    }

    /// <summary>Counts a conversation packed (the targets report it).</summary>
    internal void CountPacked() => Interlocked.Increment(ref _packed);

    /// <summary>Packs every target that is due and idle; called by the timer (and by tests through a fake clock).</summary>
    internal void Tick()
    {
        long now = _time.GetTimestamp();
        while (true)
        {
            IdleTarget target;
            lock (_lock)
            {
                if (!_due.TryPeek(out target!, out long due) || due > now)
                {
                    return;
                }

                _due.Dequeue();
                long idleUntil = target.LastActive + _after;
                if (idleUntil > now)
                {
                    // Used again since it was queued: wait for its new due time.
                    _due.Enqueue(target, idleUntil);
                    continue;
                }
            }

            // Cleared first: a use that races with the pack below queues the target again.
            target.ClearQueued();
            target.PackIfIdle();
        }
    }

    public void Dispose() => _timer?.Dispose();
}
