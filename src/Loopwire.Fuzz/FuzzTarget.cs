using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;

namespace Loopwire.Fuzz;

/// <summary>Where the fuzzer sends: an HTTP client (base address set), a WebSocket connector and optionally a raw TCP endpoint.</summary>
public sealed class FuzzTarget
{
    /// <summary>An HTTP client whose base address is the server root.</summary>
    public required HttpClient Http { get; init; }

    /// <summary>Opens a WebSocket to <c>/v1/responses</c>.</summary>
    public required Func<CancellationToken, Task<WebSocket>> ConnectWebSocket { get; init; }

    /// <summary>The server's TCP endpoint for slowloris connections; null skips them (e.g. an in-memory test server).</summary>
    public IPEndPoint? RawEndpoint { get; init; }

    /// <summary>Sent as <c>Authorization: Bearer</c> on slowloris connections.</summary>
    public string? ApiKey { get; init; }

    /// <summary>A target for a server at <paramref name="root"/> (<c>http://127.0.0.1:8080</c>).</summary>
    /// <param name="root">The server root.</param>
    /// <param name="apiKey">An API key, or null.</param>
    /// <param name="concurrency">Connections the HTTP client may open.</param>
    /// <returns>The target; dispose its <see cref="Http"/> when done.</returns>
    public static FuzzTarget ForUrl(Uri root, string? apiKey, int concurrency)
    {
        ArgumentNullException.ThrowIfNull(root);
#pragma warning disable CA2000 // The HttpClient owns the handler; the caller disposes the target's Http.
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(1, concurrency), PooledConnectionLifetime = TimeSpan.FromMinutes(1) };
        var http = new HttpClient(handler) { BaseAddress = root, Timeout = Timeout.InfiniteTimeSpan };
#pragma warning restore CA2000
        if (apiKey is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        var ws = new UriBuilder(root) { Scheme = root.Scheme == "https" ? "wss" : "ws", Path = "/v1/responses" }.Uri;
        IPEndPoint? raw = IPAddress.TryParse(root.Host.Trim('[', ']'), out var ip) ? new IPEndPoint(ip, root.Port)
            : root.IsLoopback ? new IPEndPoint(IPAddress.Loopback, root.Port) : null;
        return new FuzzTarget
        {
            Http = http,
            RawEndpoint = raw,
            ApiKey = apiKey,
            ConnectWebSocket = async ct =>
            {
                var client = new ClientWebSocket();
                if (apiKey is not null)
                {
                    client.Options.SetRequestHeader("Authorization", "Bearer " + apiKey);
                }

                try
                {
                    await client.ConnectAsync(ws, ct).ConfigureAwait(false);
                    return client;
                }
                catch
                {
                    client.Dispose();
                    throw;
                }
            },
        };
    }
}
