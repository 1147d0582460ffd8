using Loopwire.Protocol.Streaming;

namespace Loopwire.Client.Sessions;

/// <summary>Counts what one turn costs, over all its attempts, and produces its <see cref="TurnMetrics"/>.</summary>
internal sealed class TurnMeter
{
    private readonly TimeProvider _time;
    private readonly long _start;
    private long _firstOutput;

    public TurnMeter(TimeProvider time)
    {
        _time = time;
        _start = time.GetTimestamp();
    }

    /// <summary>Payload bytes, fed by the transport.</summary>
    public TransferCounter Counter { get; } = new();

    public int ItemsSent { get; private set; }

    public int Requests { get; private set; }

    public int Replays { get; set; }

    public int Reconnects { get; set; }

    /// <summary>Whether the latest (successful) attempt was a continuation.</summary>
    public bool UsedPreviousResponseId { get; set; }

    /// <summary>Counts a request (warm-ups included) and its input items.</summary>
    public void RequestSent(int items)
    {
        ItemsSent += items;
        Requests++;
    }

    /// <summary>Starts a new attempt: only the successful attempt's first output counts.</summary>
    public void BeginAttempt() => _firstOutput = 0;

    /// <summary>Notes the time of the attempt's first output delta.</summary>
    public void Observe(ResponseEvent e)
    {
        if (_firstOutput == 0 && e is OutputTextDeltaEvent or FunctionCallArgumentsDeltaEvent or ReasoningSummaryTextDeltaEvent)
        {
            _firstOutput = _time.GetTimestamp();
        }
    }

    public TurnMetrics ToMetrics()
    {
        long end = _time.GetTimestamp();
        return new TurnMetrics
        {
            BytesSent = Counter.BytesSent,
            BytesReceived = Counter.BytesReceived,
            ItemsSent = ItemsSent,
            UsedPreviousResponseId = UsedPreviousResponseId,
            Replays = Replays,
            Reconnects = Reconnects,
            Requests = Requests,
            TimeToFirstToken = _firstOutput == 0 ? null : _time.GetElapsedTime(_start, _firstOutput),
            TurnTime = _time.GetElapsedTime(_start, end),
        };
    }
}
