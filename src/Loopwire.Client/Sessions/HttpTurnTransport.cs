using Loopwire.Client.Http;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Client.Sessions;

/// <summary>HTTP + SSE: <c>store: true</c> with continuations when chained, <c>store: false</c> and full input when stateless.</summary>
/// <remarks>
/// There is no connection to manage: each request takes one from the <see cref="HttpClient"/> pool, so a connection
/// failure is recovered by sending the next request. Owns the <see cref="HttpClient"/> only when it created it.
/// </remarks>
internal sealed class HttpTurnTransport : ITurnTransport
{
    private readonly ResponsesHttpClient _http;
    private readonly HttpClient? _ownedHttp;

    /// <param name="options">The session options (auth, an optional <see cref="HttpClient"/>).</param>
    /// <param name="headers">The headers of every request (the session's, with its <c>session-id</c>).</param>
    /// <param name="root">The server root, used when the session creates its own <see cref="HttpClient"/>.</param>
    /// <param name="chained">Whether responses are stored and continued with <c>previous_response_id</c>.</param>
    public HttpTurnTransport(ResponseSessionOptions options, IDictionary<string, string> headers, Uri root, bool chained)
    {
        ArgumentNullException.ThrowIfNull(options);
        var http = options.HttpClient;
        if (http is null)
        {
            http = _ownedHttp = new HttpClient { BaseAddress = root, Timeout = Timeout.InfiniteTimeSpan };
        }

        _http = new ResponsesHttpClient(http, new ResponsesClientOptions { ApiKey = options.ApiKey, Headers = headers });
        SupportsDelta = chained;
        ForcedStore = chained;
    }

    public bool SupportsDelta { get; }

    public bool? ForcedStore { get; }

    public bool IsStateful => false;

    public object? Connection => null;

    public bool IsFreshConnection => false;

    public Task<int> PrepareAsync(CancellationToken cancellationToken) => Task.FromResult(0);

    public Task<int> ReconnectAsync(CancellationToken cancellationToken) => Task.FromResult(0);

    public IAsyncEnumerable<ResponseEvent> SendAsync(CreateResponseRequest request, TransferCounter counter, CancellationToken cancellationToken) =>
        _http.StreamCoreAsync(request, counter, cancellationToken);

    public void ResponseCompleted()
    {
    }

    public ValueTask DisposeAsync()
    {
        _ownedHttp?.Dispose();
        return ValueTask.CompletedTask;
    }
}
