using System.Threading.Channels;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Client.WebSockets;

/// <summary>One message read from the socket: an event, an error envelope, or neither (an unknown event type).</summary>
internal readonly record struct Inbound(ResponseEvent? Event, ResponsesApiException? Error, int Bytes);

/// <summary>The messages of one lane (<c>stream_id</c>), and whether a stream of that lane is open.</summary>
internal sealed class LaneInbox(Channel<Inbound> channel)
{
    /// <summary>1 while a stream of this lane is open.</summary>
    public int Busy;

    public Channel<Inbound> Channel => channel;
}

/// <summary>The per-lane inboxes of one connection: the receive loop writes by <c>stream_id</c>, each lane's stream reads its own.</summary>
/// <remarks>Thread-safe. Once the connection ended, every inbox (also one created later) completes with the same failure.</remarks>
internal sealed class LaneInboxes(int capacity)
{
    private readonly Dictionary<string, LaneInbox> _lanes = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private Exception? _failure;
    private bool _completed;

    /// <summary>The inbox of <paramref name="lane"/> (null: the default lane), created on first use.</summary>
    public LaneInbox Get(string? lane)
    {
        lock (_lock)
        {
            if (!_lanes.TryGetValue(lane ?? "", out var inbox))
            {
                inbox = new LaneInbox(Channel.CreateBounded<Inbound>(new BoundedChannelOptions(capacity)
                {
                    SingleReader = true,
                    SingleWriter = true,
                    FullMode = BoundedChannelFullMode.Wait,
                }));
                if (_completed)
                {
                    inbox.Channel.Writer.TryComplete(_failure);
                }

                _lanes[lane ?? ""] = inbox;
            }

            return inbox;
        }
    }

    /// <summary>The connection ended: every inbox completes (with <paramref name="failure"/> when it broke).</summary>
    public void Complete(Exception? failure)
    {
        lock (_lock)
        {
            _failure = failure;
            _completed = true;
            foreach (var inbox in _lanes.Values)
            {
                inbox.Channel.Writer.TryComplete(failure);
            }
        }
    }
}
