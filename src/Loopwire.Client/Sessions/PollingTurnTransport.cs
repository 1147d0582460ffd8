using System.Runtime.CompilerServices;
using Loopwire.Client.Http;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Client.Sessions;

/// <summary>
/// HTTP polling: <c>POST /v1/responses</c> with <c>background: true</c>, then <c>GET /v1/responses/{id}</c> every poll interval
/// until the response is terminal. Stored (background requires it) and chained with <c>previous_response_id</c>.
/// </summary>
/// <remarks>
/// The baseline of "HTTP polling versus a session": no stream, so the caller sees one terminal event per turn (built from
/// the final response object), and a finished response is noticed up to one interval late. Connectionless like
/// <see cref="HttpTurnTransport"/>; owns the <see cref="HttpClient"/> only when it created it.
/// </remarks>
internal sealed class PollingTurnTransport : ITurnTransport
{
    private readonly ResponsesHttpClient _http;
    private readonly HttpClient? _ownedHttp;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;

    /// <param name="options">The session options (auth, headers, an optional <see cref="HttpClient"/>, the poll interval and clock).</param>
    /// <param name="headers">The request headers (the user's, plus the session's <c>session-id</c>).</param>
    /// <param name="root">The server root, used when the session creates its own <see cref="HttpClient"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The poll interval is not positive.</exception>
    public PollingTurnTransport(ResponseSessionOptions options, IDictionary<string, string> headers, Uri root)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.PollInterval, TimeSpan.Zero, nameof(options.PollInterval));
        _interval = options.PollInterval;
        _time = options.TimeProvider;
        var http = options.HttpClient;
        if (http is null)
        {
            http = _ownedHttp = new HttpClient { BaseAddress = root, Timeout = Timeout.InfiniteTimeSpan };
        }

        _http = new ResponsesHttpClient(http, new ResponsesClientOptions { ApiKey = options.ApiKey, Headers = headers });
    }

    public bool SupportsDelta => true;

    public bool? ForcedStore => true;

    public bool IsStateful => false;

    public object? Connection => null;

    public bool IsFreshConnection => false;

    public Task<int> PrepareAsync(CancellationToken cancellationToken) => Task.FromResult(0);

    public Task<int> ReconnectAsync(CancellationToken cancellationToken) => Task.FromResult(0);

    public async IAsyncEnumerable<ResponseEvent> SendAsync(CreateResponseRequest request, TransferCounter counter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var response = await _http.CreateCoreAsync(request with { Background = true }, counter, cancellationToken).ConfigureAwait(false);
        while (response.Status is ResponseStatus.Queued or ResponseStatus.InProgress)
        {
            await Task.Delay(_interval, _time, cancellationToken).ConfigureAwait(false);
            response = await _http.RetrieveCoreAsync(response.Id, counter, cancellationToken).ConfigureAwait(false);
        }

        yield return response.Status switch
        {
            ResponseStatus.Completed => new ResponseCompletedEvent { Response = response },
            ResponseStatus.Incomplete => new ResponseIncompleteEvent { Response = response },
            _ => new ResponseFailedEvent { Response = response },
        };
    }

    public void ResponseCompleted()
    {
    }

    public ValueTask DisposeAsync()
    {
        _ownedHttp?.Dispose();
        return ValueTask.CompletedTask;
    }
}
