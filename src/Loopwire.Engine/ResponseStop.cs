using Loopwire.Protocol.Items;

namespace Loopwire.Engine;

/// <summary>
/// A request to end a running response early without cancelling it: the engine stops the backend and ends the response
/// <c>incomplete</c> with <see cref="Reason"/>, keeping (or, for an interrupt, dropping) the item being written.
/// </summary>
/// <remarks>
/// Thread-safe; the first request wins. A steer (<see cref="Steered"/>) lets the current reasoning item or tool call finish and
/// cuts an assistant message where it is; an interrupt (<see cref="Interrupted"/>) stops at once and discards the open item.
/// </remarks>
public sealed class ResponseStop : IDisposable
{
    /// <summary>The incomplete reason of a steered response.</summary>
    public const string Steered = "steered";

    /// <summary>The incomplete reason of an interrupted response (Codex's <c>response.interrupt</c>).</summary>
    public const string Interrupted = "interrupted";

    private readonly CancellationTokenSource _cts = new();
    private string? _reason;
    private volatile bool _cuttable = true;
    private Func<IReadOnlyList<ResponseItem>, bool>? _upstream;

    /// <summary>Why the response should stop; null while nobody asked.</summary>
    public string? Reason => Volatile.Read(ref _reason);

    /// <summary>Whether the open item is dropped rather than finished.</summary>
    public bool DiscardPartial { get; private set; }

    /// <summary>Cancelled when the backend should stop waiting for its next chunk.</summary>
    internal CancellationToken Token => _cts.Token;

    /// <summary>Asks the response to stop.</summary>
    /// <param name="reason"><see cref="Steered"/> or <see cref="Interrupted"/>.</param>
    /// <param name="discardPartial">True to drop the item being written instead of finishing it.</param>
    /// <returns>False when a stop was already requested.</returns>
    public bool Request(string reason, bool discardPartial = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        DiscardPartial = discardPartial;
        if (Interlocked.CompareExchange(ref _reason, reason, null) is not null)
        {
            return false;
        }

        if (discardPartial || _cuttable)
        {
            Cancel();
        }

        return true;
    }

    /// <summary>
    /// Steers the response: a backend that steers its upstream itself (<see cref="PassSteersTo"/>) takes the steer, and its
    /// upstream ends the response and generates the successor; otherwise the response stops here (<see cref="Steered"/>) and
    /// the caller runs the successor (cancel-and-continue).
    /// </summary>
    /// <param name="input">The steer's user messages.</param>
    /// <returns>True when the backend passed the steer to its upstream.</returns>
    public bool Steer(IReadOnlyList<ResponseItem> input)
    {
        if (Reason is null && Volatile.Read(ref _upstream) is { } upstream && upstream(input))
        {
            return true;
        }

        Request(Steered);
        return false;
    }

    /// <summary>
    /// Registers, while the response streams, a backend's way to forward a steer to its upstream (false: it cannot now, stop
    /// here instead); null unregisters. Called under the steering caller's lock: it must not block.
    /// </summary>
    public void PassSteersTo(Func<IReadOnlyList<ResponseItem>, bool>? upstream) => Volatile.Write(ref _upstream, upstream);

    /// <summary>The engine's state: true while no tool call or reasoning item is half-written (stopping now loses nothing whole).</summary>
    internal void SetCuttable(bool cuttable)
    {
        _cuttable = cuttable;
        if (cuttable && Reason is not null)
        {
            Cancel();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _cts.Dispose();

    private void Cancel()
    {
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The response already ended.
        }
    }
}
