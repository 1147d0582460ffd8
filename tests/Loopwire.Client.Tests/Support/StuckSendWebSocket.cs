using System.Net.WebSockets;

namespace Loopwire.Client.Tests.Support;

/// <summary>
/// A WebSocket whose sends hang until the test lets them end (a send stuck in a full socket buffer), and whose receive
/// waits until the socket is closed or aborted. Nothing it does depends on time.
/// </summary>
public sealed class StuckSendWebSocket : WebSocket
{
    private readonly TaskCompletionSource _sendsMayEnd = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _sendsStarted;
    private WebSocketState _state = WebSocketState.Open;

    /// <summary>Completes when a send has started (and hangs).</summary>
    public TaskCompletionSource FirstSendStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Sends started so far.</summary>
    public int SendsStarted => Volatile.Read(ref _sendsStarted);

    /// <summary>Ends every hanging send with <paramref name="error"/> (as a reset connection ends them).</summary>
    public void FailSends(Exception error) => _sendsMayEnd.TrySetException(error);

    public override WebSocketCloseStatus? CloseStatus => null;

    public override string? CloseStatusDescription => null;

    public override string? SubProtocol => null;

    public override WebSocketState State => _state;

    public override void Abort()
    {
        _state = WebSocketState.Aborted;
        _closed.TrySetResult(false);
    }

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        // The peer answers the close at once.
        _state = WebSocketState.Closed;
        _closed.TrySetResult(true);
        return Task.CompletedTask;
    }

    public override void Dispose() => Abort();

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        bool closed = await _closed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return closed
            ? new WebSocketReceiveResult(0, WebSocketMessageType.Close, true, WebSocketCloseStatus.NormalClosure, null)
            : throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "aborted");
    }

    public override async Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sendsStarted);
        FirstSendStarted.TrySetResult();
        await _sendsMayEnd.Task.ConfigureAwait(false);
    }
}
