using Loopwire.Server.Hosting;

namespace Loopwire.Agent.Tests.Loop;

/// <summary>A real Loopwire server (Kestrel on 127.0.0.1, a free port, memory store) shared by the agent tests.</summary>
public sealed class LoopwireKestrel : IAsyncLifetime
{
    private WebApplication? _app;

    public Uri BaseUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _app = LoopwireHost.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Loopwire:Store"] = "memory",
                ["Logging:LogLevel:Default"] = "Warning",
            });
            b.WebHost.UseUrls("http://127.0.0.1:0");
        });
        await _app.StartAsync();
        BaseUrl = new Uri(_app.Urls.First());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
