using Loopwire.Server.Hosting;
using Loopwire.Server.Limits;
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

    /// <summary>The least time between two releases of packed memory to the OS. <value>10 seconds</value></summary>
    internal static readonly TimeSpan ReleaseInterval = TimeSpan.FromSeconds(10);

    private readonly PriorityQueue<IdleTarget, long> _due = new();
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _after;
    private readonly ITimer? _timer;
    private readonly ILogger _logger;
    private readonly bool _release;
    private long _packed;
    private long _freedSinceRelease;
    private long _releases;
    private long _lastRelease;
    private TimeSpan _lastPause;

    private readonly Func<bool> _busy;

    /// <param name="options">The server options (<see cref="WebSocketModeOptions.PackIdleAfter"/>, <see cref="WebSocketModeOptions.ReleaseMemoryAfterPacking"/>).</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The log.</param>
    /// <param name="limits">Counts the responses in flight: memory is given back only while there are none.</param>
    public IdlePacker(IOptions<LoopwireServerOptions> options, TimeProvider time, ILogger<IdlePacker>? logger = null, TenantLimits? limits = null)
        : this(options, time, logger, limits is null ? static () => false : () => limits.ResponsesInFlight > 0)
    {
    }

    /// <summary>Creates a packer with its own test of whether responses are in flight (tests).</summary>
    internal IdlePacker(IOptions<LoopwireServerOptions> options, TimeProvider time, ILogger<IdlePacker>? logger, Func<bool> busy)
    {
        _busy = busy;
        _time = time;
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _release = options.Value.WebSocket.ReleaseMemoryAfterPacking;
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

    /// <summary>
    /// The memory packing must have freed (estimate) before it is given back to the OS. <value>64 MiB</value>
    /// </summary>
    internal long ReleaseThresholdBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// What packing must have freed for a release once nothing is left waiting to be packed (the server went quiet): the last
    /// packings before a quiet spell are given back too instead of staying committed until more is packed. <value>4 MiB</value>
    /// </summary>
    internal long QuietReleaseBytes { get; init; } = 4L * 1024 * 1024;

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

    /// <summary>Counts a conversation packed and the memory it freed (estimate); the targets report it.</summary>
    internal void CountPacked(long freedBytes)
    {
        Interlocked.Increment(ref _packed);
        Interlocked.Add(ref _freedSinceRelease, Math.Max(0, freedBytes));
    }

    /// <summary>Times the memory freed by packing was given back to the OS (see <see cref="WebSocketModeOptions.ReleaseMemoryAfterPacking"/>).</summary>
    public long Releases => Interlocked.Read(ref _releases);

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
                    break;
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
            try
            {
                target.PackIfIdle();
            }
            catch (Exception ex)
            {
                // A timer callback must not throw: a state that cannot be packed stays as it is.
                IdlePackerLog.PackFailed(_logger, ex);
            }
        }

        // The release stops every thread for as long as it takes (up to a second with 10,000 sessions on 2 cores): only while no
        // response is in flight, so that it never freezes a stream; a later tick tries again.
        long freed = Interlocked.Read(ref _freedSinceRelease);
        if (_release && (freed >= ReleaseThresholdBytes || (freed >= QuietReleaseBytes && Queued == 0))
            && (_lastRelease == 0 || _time.GetElapsedTime(_lastRelease) >= NextReleaseAfter(_lastPause)) && !_busy())
        {
            ReleaseMemory(now);
        }
    }

    /// <summary>
    /// Packing frees the conversations' memory to the GC, which keeps it committed (RSS stays near its peak); one blocking
    /// compacting collection that decommits (<see cref="GCCollectionMode.Aggressive"/>) gives it back to the OS.
    /// </summary>
    private void ReleaseMemory(long now)
    {
        _lastRelease = now;
        long freed = Interlocked.Exchange(ref _freedSinceRelease, 0);
        long heapBefore = GC.GetTotalMemory(forceFullCollection: false);
        var pauseBefore = GC.GetTotalPauseDuration();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Interlocked.Increment(ref _releases);
        _lastPause = GC.GetTotalPauseDuration() - pauseBefore;
        IdlePackerLog.MemoryReleased(_logger, freed / (1024 * 1024), heapBefore / (1024 * 1024), GC.GetTotalMemory(false) / (1024 * 1024),
            _lastPause.TotalMilliseconds);
    }

    /// <summary>
    /// The least time after a release before the next: <see cref="ReleaseInterval"/>, or 20 times the last release's pause if longer,
    /// so that these pauses take at most 5% of the time however large the heap.
    /// </summary>
    internal static TimeSpan NextReleaseAfter(TimeSpan lastPause) => TimeSpan.FromTicks(Math.Max(ReleaseInterval.Ticks, lastPause.Ticks * 20));

    public void Dispose() => _timer?.Dispose();
}

/// <summary>The packer's log messages (event ids 110-111, in the WebSocket range).</summary>
internal static partial class IdlePackerLog
{
    [LoggerMessage(110, LogLevel.Information,
        "Gave packed memory back to the OS: about {FreedMb} MB of conversations packed since the last time; heap {BeforeMb} MB -> {AfterMb} MB, GC pause {PauseMs:F0} ms")]
    public static partial void MemoryReleased(ILogger logger, long freedMb, long beforeMb, long afterMb, double pauseMs);

    [LoggerMessage(111, LogLevel.Error, "Packing an idle conversation failed; it stays unpacked")]
    public static partial void PackFailed(ILogger logger, Exception exception);
}
