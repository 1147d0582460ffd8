using Loopwire.Server.Hosting;

namespace Loopwire.Cli;

/// <summary>A Loopwire server in this process on a free loopback port (for <c>loopwire agent</c> without --base-url).</summary>
internal sealed class EmbeddedServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmbeddedServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public static async Task<EmbeddedServer> StartAsync(CancellationToken ct)
    {
        var app = LoopwireHost.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Loopwire:Store"] = "memory",
                ["Logging:LogLevel:Default"] = "Warning",
            });
            b.WebHost.UseUrls("http://127.0.0.1:0");
        });
        await app.StartAsync(ct);
        return new EmbeddedServer(app, new Uri(app.Urls.First()));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
