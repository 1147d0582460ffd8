using Loopwire.Client.WebSockets;

namespace Loopwire.Client.Sessions;

/// <summary>The one WebSocket of a session: opens it with backoff, replaces it when broken or too old, closes it.</summary>
/// <remarks>
/// Connects through <see cref="RecoveryPolicy.ConnectPipeline"/>. A connection older than the maximum age is replaced
/// before a turn, so the server's own age limit does not refuse a request mid-conversation. Lanes share one manager, so
/// opening and replacing are serialized; a lane that replaces the connection breaks the others' chains (they replay).
/// </remarks>
internal sealed class WebSocketConnectionManager : IAsyncDisposable
{
    private readonly Uri _uri;
    private readonly ResponsesWebSocketOptions _options;
    private readonly TimeSpan _maxAge;
    private readonly RecoveryPolicy _recovery;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _responses;

    /// <param name="uri">The <c>v1/responses</c> address.</param>
    /// <param name="options">Auth, headers, connector, buffering and clock of the connections.</param>
    /// <param name="maxAge">The age after which a connection is replaced between turns.</param>
    /// <param name="recovery">The connect backoff.</param>
    public WebSocketConnectionManager(Uri uri, ResponsesWebSocketOptions options, TimeSpan maxAge, RecoveryPolicy recovery)
    {
        _uri = uri;
        _options = options;
        _maxAge = maxAge;
        _recovery = recovery;
    }

    /// <summary>The open connection, or null before the first turn and after a dispose.</summary>
    public ResponsesWebSocketClient? Current { get; private set; }

    /// <summary>Responses (warm-ups included) read on <see cref="Current"/> so far.</summary>
    public int ResponsesOnConnection => Volatile.Read(ref _responses);

    /// <summary>Counts a response read on <see cref="Current"/>.</summary>
    public void CountResponse() => Interlocked.Increment(ref _responses);

    /// <summary>Opens a connection if there is none, or replaces one that is broken or too old.</summary>
    /// <returns>1 when an earlier connection was replaced, else 0.</returns>
    /// <exception cref="ResponsesConnectionException">Every connect attempt failed.</exception>
    public async Task<int> EnsureOpenAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int replaced = 0;
            if (Current is { } old && (!old.IsOpen || old.Age >= _maxAge))
            {
                await CloseCurrentAsync().ConfigureAwait(false);
                replaced = 1;
            }

            if (Current is null)
            {
                await OpenAsync(cancellationToken).ConfigureAwait(false);
            }

            return replaced;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the current connection, if any, and opens a new one, unless another lane already replaced <paramref name="failed"/>.</summary>
    /// <param name="failed">The connection the caller saw fail; null: the current one.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>1 when this call replaced the connection, else 0.</returns>
    /// <exception cref="ResponsesConnectionException">Every connect attempt failed.</exception>
    public async Task<int> ReconnectAsync(ResponsesWebSocketClient? failed, CancellationToken cancellationToken)
    {
        var broken = failed ?? Current;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another lane may have replaced the broken connection already.
            if (Current is { IsOpen: true } replacement && replacement != broken)
            {
                return 0;
            }

            await CloseCurrentAsync().ConfigureAwait(false);
            await OpenAsync(cancellationToken).ConfigureAwait(false);
            return 1;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseCurrentAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        Current = await _recovery.ConnectPipeline.ExecuteAsync(
            static async (state, ct) => await ResponsesWebSocketClient.ConnectAsync(state.Uri, state.Options, ct).ConfigureAwait(false),
            (Uri: _uri, Options: _options),
            cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _responses, 0);
    }

    private async ValueTask CloseCurrentAsync()
    {
        if (Current is { } old)
        {
            Current = null;
            await old.DisposeAsync().ConfigureAwait(false);
        }
    }
}
