using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Server.WebSockets;

/// <summary>The send side of a connection as lanes and steering see it: every message is tagged with its lane.</summary>
internal interface ILaneOutput
{
    /// <summary>Queues a response event of <paramref name="lane"/>; waits while the send buffer is full.</summary>
    ValueTask SendEventAsync(ResponseEvent e, string? lane, CancellationToken ct);

    /// <summary>Sends what <see cref="SendEventAsync"/> held back to go out with the frames after it; call it before waiting.</summary>
    ValueTask FlushAsync(CancellationToken ct);

    /// <summary>Queues a small control event (steer and interrupt replies) without waiting.</summary>
    void SendControl(ResponseEvent e, string? lane);

    /// <summary>Queues an <c>error</c> event; the connection stays open.</summary>
    void SendError(ProtocolError error, string? lane);
}
