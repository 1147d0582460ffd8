using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;
using Loopwire.Protocol.Wire;
using Loopwire.Server.Http;

namespace Loopwire.Server.WebSockets;

/// <summary>
/// The send side of a connection: the only writer of the socket. A response event goes straight from its lane to the socket
/// when nothing waits before it; otherwise (another send in flight, a control message queued, a slow reader) it joins a
/// bounded queue that the send loop drains, in order.
/// </summary>
/// <remarks>
/// Frames that are ready together leave together: the send side corks the socket's transport (<see cref="CorkableStream"/>)
/// while it sends, and a lane flushes before it waits for its next event (<see cref="FlushAsync"/>); a response's terminal
/// event, and the end of the queue, flush too. A frame is thus held back only while the next one is being produced.
/// One lock guards the socket's send side and the frame buffer: whoever holds it sends. The send loop takes messages off the
/// queue only while holding it, so a direct send never overtakes a message already queued. A full queue makes the lane wait
/// (a client that does not read stalls generation, it does not grow memory). The buffer is given back when the queue runs
/// empty and after a response's terminal event, so an idle connection holds none.
/// </remarks>
internal sealed class OutboundSender : IDisposable
{
    private readonly WebSocket _ws;
    private readonly CorkableStream? _cork;
    private readonly Channel<Outbound> _queue;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly PooledBufferWriter _buffer = new(WebSocketMessageReader.InitialBufferBytes);
    private readonly Utf8JsonWriter _writer;
    private readonly ResponseEventWriter _events = new();
    private readonly Action _peerGone;
    private bool _stopped;
    private int _blocked;
    // Messages written to the queue (or waiting to be) and not yet taken by the send loop; the channel's own Count takes a lock.
    private int _queued;

    /// <param name="ws">The socket.</param>
    /// <param name="capacity">Messages the queue holds before a lane waits.</param>
    /// <param name="peerGone">Called when a send finds the peer gone.</param>
    /// <param name="cork">The transport under <paramref name="ws"/>, to send ready frames together; null: each frame on its own.</param>
    public OutboundSender(WebSocket ws, int capacity, Action peerGone, CorkableStream? cork = null)
    {
        _ws = ws;
        _cork = cork;
        _peerGone = peerGone;
        _writer = new Utf8JsonWriter(_buffer, ProtocolJsonContext.WireWriterOptions);
        _queue = Channel.CreateBounded<Outbound>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Messages in the queue or waiting for room in it (and, once the send loop stopped, those it left behind).</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Whether frames ready together are sent together (the socket's transport is corkable).</summary>
    public bool Corks => _cork is not null;

    /// <summary>Whether a send is waiting for the socket (the peer does not read fast enough: its buffers are full).</summary>
    public bool Blocked => Volatile.Read(ref _blocked) != 0;

    /// <summary>Sends <paramref name="e"/> now when nothing waits before it, else queues it (waiting while the queue is full).</summary>
    /// <returns>Completes when the event is sent or queued; a send that found the peer gone returns normally (the loop stops).</returns>
    public async ValueTask SendEventAsync(ResponseEvent e, CancellationToken ct)
    {
        if (Volatile.Read(ref _queued) == 0 && _lock.Wait(0, CancellationToken.None))
        {
            try
            {
                // Re-checked under the lock: the send loop only dequeues while holding it, so nothing is between queue and socket.
                if (Volatile.Read(ref _queued) == 0)
                {
                    if (!_stopped)
                    {
                        // Held back until the lane flushes (it does before it waits) or the response ends.
                        _cork?.Cork();

                        // The lane's token: a connection that ends while this send waits on a peer that does not read
                        // aborts the socket instead of leaving the lane stuck (a queued send would have been cancellable too).
                        _stopped = !await SendAsync(e, null, ct).ConfigureAwait(false);
                        if (e.IsTerminal)
                        {
                            if (!_stopped)
                            {
                                await UncorkAsync(ct).ConfigureAwait(false);
                            }

                            ReleaseBuffers();
                        }
                    }

                    return;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The connection is ending: the socket was aborted mid-send, nothing more goes out.
                _stopped = true;
                throw;
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
                // The peer went away: the loop's next send fails too, and the connection's work is cancelled.
                _stopped = true;
                _peerGone();
                return;
            }
            finally
            {
                _lock.Release();
            }
        }

        Interlocked.Increment(ref _queued);
        try
        {
            await _queue.Writer.WriteAsync(new EventFrame(e), ct).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Decrement(ref _queued);
            throw;
        }
    }

    /// <summary>Sends the frames held back (see the remarks); a lane calls it before it waits for its next event.</summary>
    /// <returns>Completes when the socket took them; a peer found gone returns normally (the loop stops).</returns>
    public ValueTask FlushAsync(CancellationToken ct) => _cork is null || !_cork.IsCorked ? default : FlushCoreAsync(ct);

    private async ValueTask FlushCoreAsync(CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!_stopped)
            {
                await UncorkAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            _stopped = true;
            throw;
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            _stopped = true;
            _peerGone();
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Queues a message without waiting; when the queue is full, it is written as soon as there is room.</summary>
    public void Post(Outbound msg, CancellationToken ct)
    {
        Interlocked.Increment(ref _queued);
        if (!_queue.Writer.TryWrite(msg))
        {
            _ = _queue.Writer.WriteAsync(msg, ct).AsTask().ContinueWith(static (t, self) =>
            {
                if (!t.IsCompletedSuccessfully)
                {
                    Interlocked.Decrement(ref ((OutboundSender)self!)._queued);
                }
            }, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>No more messages: the loop ends once the queue is empty.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>The send loop: drains the queue in order and performs the close handshake.</summary>
    /// <param name="closing">Called after the close frame went out (or could not).</param>
    /// <returns>Completes when the queue is done, the close frame is sent, or the peer is gone.</returns>
    public async Task RunAsync(Action closing)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                await _lock.WaitAsync().ConfigureAwait(false);
                try
                {
                    // What is queued leaves together.
                    _cork?.Cork();
                    while (_queue.Reader.TryRead(out var msg))
                    {
                        Interlocked.Decrement(ref _queued);
                        if (msg is CloseFrame close)
                        {
                            _stopped = true;
                            await UncorkAsync(CancellationToken.None).ConfigureAwait(false);
                            if (_ws.State is WebSocketState.Open or WebSocketState.CloseReceived)
                            {
                                await _ws.CloseOutputAsync(close.Status, close.Reason, CancellationToken.None).ConfigureAwait(false);
                            }

                            closing();
                            return;
                        }

                        if (!await SendAsync(msg is EventFrame frame ? frame.Event : null, msg as TextFrame, CancellationToken.None).ConfigureAwait(false))
                        {
                            _stopped = true;
                            return;
                        }
                    }

                    // Nothing queued (the turn ended, or generation is slower than the socket): hold no send buffer while idle.
                    await UncorkAsync(CancellationToken.None).ConfigureAwait(false);
                    ReleaseBuffers();
                }
                finally
                {
                    _lock.Release();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException)
        {
            // The peer went away; the receive loop notices too, but often later (it may be idle while we stream).
            _peerGone();
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            _stopped = true;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _writer.Dispose();
        _events.Dispose();
        _buffer.Dispose();
        _lock.Dispose();
    }

    /// <summary>Writes one frame (an event, or another text message) and sends it; false when the socket is no longer open.</summary>
    /// <remarks>The caller holds the lock.</remarks>
    private async ValueTask<bool> SendAsync(ResponseEvent? e, TextFrame? other, CancellationToken ct)
    {
        _buffer.Clear();
        _writer.Reset(_buffer);
        if (e is not null)
        {
            _events.Write(_buffer, _writer, e);
        }
        else
        {
            other!.WriteTo(_writer);
        }

        _writer.Flush();

        if (_ws.State != WebSocketState.Open && _ws.State != WebSocketState.CloseReceived)
        {
            return false;
        }

        // Sent without a token: the socket then writes the frame without registering the token, which is most of a small
        // send's cost. Only a send that has to wait for the peer watches the token, and cancelling it aborts the socket,
        // which is what a cancelled WebSocket send does.
        var send = _ws.SendAsync(_buffer.WrittenMemory, WebSocketMessageType.Text, true, CancellationToken.None);
        if (send.IsCompleted)
        {
            send.GetAwaiter().GetResult();
        }
        else
        {
            await WaitForSocketAsync(send, ct).ConfigureAwait(false);
        }

        if (_buffer.Capacity > WebSocketMessageReader.RetainedBufferBytes)
        {
            _buffer.Release();
        }

        return true;
    }

    /// <summary>Writes what the transport holds back; the caller holds the lock.</summary>
    private ValueTask UncorkAsync(CancellationToken ct)
    {
        if (_cork is null)
        {
            return default;
        }

        var write = _cork.UncorkAsync(CancellationToken.None);
        return write.IsCompletedSuccessfully ? default : WaitForUncorkAsync(write, ct);
    }

    /// <summary>As a send through the socket would, reports a transport that failed as a <see cref="WebSocketException"/>.</summary>
    private async ValueTask WaitForUncorkAsync(ValueTask write, CancellationToken ct)
    {
        try
        {
            await WaitForSocketAsync(write, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException
                                   || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, ex);
        }
    }

    /// <summary>A write that has to wait for the peer: it is <see cref="Blocked"/>, and cancelling <paramref name="ct"/> aborts the socket.</summary>
    private async ValueTask WaitForSocketAsync(ValueTask write, CancellationToken ct)
    {
        Volatile.Write(ref _blocked, 1);
        try
        {
            using var abort = ct.CanBeCanceled ? ct.UnsafeRegister(static ws => ((WebSocket)ws!).Abort(), _ws) : default;
            await write.ConfigureAwait(false);
        }
        catch (Exception ex) when (ct.IsCancellationRequested && ex is not OperationCanceledException)
        {
            throw new OperationCanceledException("The send was cancelled; the socket was aborted.", ex, ct);
        }
        finally
        {
            Volatile.Write(ref _blocked, 0);
        }
    }

    private void ReleaseBuffers()
    {
        _buffer.Release();
        _events.Release();
    }
}
