using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Client.Sessions;

/// <summary>How a <see cref="ResponseSession"/> sends one request of a turn and reads its events.</summary>
/// <remarks>
/// The session decides what to send (<see cref="DeltaPlanner"/>) and whether to retry (<see cref="RecoveryPolicy"/>);
/// a transport only owns its connection, if it has one, and the exchange. Used by one turn at a time.
/// </remarks>
internal interface ITurnTransport : IAsyncDisposable
{
    /// <summary>Whether a turn may be sent as <c>previous_response_id</c> plus the new items.</summary>
    bool SupportsDelta { get; }

    /// <summary>The <c>store</c> value this transport requires; null keeps the caller's (default false).</summary>
    bool? ForcedStore { get; }

    /// <summary>Whether the server keeps state on a connection, so <c>generate: false</c> warm-ups are meaningful.</summary>
    bool IsStateful { get; }

    /// <summary>The connection requests go out on; a chain built on another connection is lost. Null when connectionless.</summary>
    object? Connection { get; }

    /// <summary>Whether no response has been read on the current connection yet (always false when connectionless).</summary>
    bool IsFreshConnection { get; }

    /// <summary>Makes sure a usable connection is open before a turn, replacing a broken or too old one.</summary>
    /// <returns>The number of connections replaced (0 or 1).</returns>
    Task<int> PrepareAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the connection after a connection-level failure.</summary>
    /// <returns>The number of connections replaced (0 when connectionless).</returns>
    Task<int> ReconnectAsync(CancellationToken cancellationToken);

    /// <summary>Sends one request and streams its events up to the terminal one.</summary>
    IAsyncEnumerable<ResponseEvent> SendAsync(CreateResponseRequest request, TransferCounter counter, CancellationToken cancellationToken);

    /// <summary>Records that a response was read to its end on the current connection.</summary>
    void ResponseCompleted();
}
