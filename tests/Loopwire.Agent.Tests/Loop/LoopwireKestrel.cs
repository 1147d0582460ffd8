using Loopwire.Server.Hosting;

namespace Loopwire.Agent.Tests.Loop;

/// <summary>A real Loopwire server (Kestrel on 127.0.0.1, a free port, memory store) shared by the agent tests.</summary>
public sealed class LoopwireKestrel : IAsyncLifetime
{
    private LoopbackServer? _server;

    public Uri BaseUrl => _server!.BaseUrl;

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync();

    public async Task DisposeAsync() => await _server!.DisposeAsync();
}
