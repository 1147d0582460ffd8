using System.Threading.Channels;
using Loopwire.Protocol.Requests;

namespace Loopwire.Server.WebSockets;

/// <summary>A <c>response.create</c> waiting on its lane.</summary>
internal sealed record LaneWork(CreateResponseRequest Request, TimeSpan Parse);

/// <summary>One lane (<c>stream_id</c>) of a connection: a FIFO of responses that run one at a time, and the lane's own cache.</summary>
/// <remarks>
/// The receive loop enqueues; the lane's single loop runs. Lanes run concurrently with each other. The default lane's loop,
/// when it waits for work, continues on the receive loop's thread until the response first waits (for the model, a slow
/// reader): one thread hop less per turn for the lane every client uses. The connection's next message is read after that
/// synchronous stretch (parsing and rendering the request; all of a turn when the model answers at once). Named lanes exist
/// to run side by side, so theirs continue on a thread of their own.
/// </remarks>
internal sealed class Lane(string? name, LaneContextSource source)
{
    private readonly Channel<LaneWork> _queue = Channel.CreateUnbounded<LaneWork>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = true,
        AllowSynchronousContinuations = name is null,
    });
    private int _pending;

    /// <summary>The <c>stream_id</c>; null for the default lane.</summary>
    public string? Name => name;

    public LaneContextSource Source => source;

    /// <summary>Responses accepted on this lane and not finished (the running one included).</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>The lane's loop, once started.</summary>
    public Task Loop { get; private set; } = Task.CompletedTask;

    /// <summary>Queues a response unless <paramref name="maxQueued"/> already wait behind the running one.</summary>
    public bool TryEnqueue(LaneWork work, int maxQueued)
    {
        if (Interlocked.Increment(ref _pending) > maxQueued + 1)
        {
            Interlocked.Decrement(ref _pending);
            return false;
        }

        _queue.Writer.TryWrite(work);
        return true;
    }

    /// <summary>Starts the loop: each queued response in order, through <paramref name="run"/>; <paramref name="done"/> after each.</summary>
    public void Start(Func<Lane, LaneWork, CancellationToken, Task> run, Action done, CancellationToken ct) => Loop = RunAsync(run, done, ct);

    /// <summary>No more work: the loop ends once the queue is empty.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    private async Task RunAsync(Func<Lane, LaneWork, CancellationToken, Task> run, Action done, CancellationToken ct)
    {
        await Task.Yield();
        await foreach (var work in _queue.Reader.ReadAllAsync(ct))
        {
            try
            {
                await run(this, work, ct);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
                done();
            }
        }
    }
}
