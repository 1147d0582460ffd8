namespace Loopwire.Server.Hosting;

/// <summary>
/// A Loopwire server in this process on a free loopback port (127.0.0.1:0), for embedding (e.g. <c>loopwire agent</c>
/// without --base-url) and for tests that need real sockets.
/// </summary>
/// <remarks>Defaults: memory store, logs at Warning. Dispose stops it gracefully.</remarks>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackServer(WebApplication app)
    {
        _app = app;
        GrpcUrl = app.Services.GetRequiredService<Grpc.GrpcCleartextEndpoint>().Url;
        BaseUrl = new Uri(app.Urls.First(u => GrpcUrl is null || new Uri(u).Port != GrpcUrl.Port));
    }

    /// <summary>The server's root URL, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The gRPC transport's HTTP/2 cleartext address (<c>Loopwire:Grpc:Port</c>, a free port by default), or null when turned off.</summary>
    public Uri? GrpcUrl { get; }

    /// <summary>The application's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server; <paramref name="settings"/> override configuration keys (e.g. <c>Loopwire:Store</c>).</summary>
    public static async Task<LoopbackServer> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, CancellationToken cancellationToken = default)
    {
        var config = new Dictionary<string, string?>
        {
            ["Loopwire:Store"] = "memory",
            ["Logging:LogLevel:Default"] = "Warning",
            [Grpc.GrpcCleartextEndpoint.PortKey] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var app = LoopwireHost.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(config);
            b.WebHost.UseUrls("http://127.0.0.1:0");
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new LoopbackServer(app);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
