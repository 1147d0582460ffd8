using Loopwire.Server.Hosting;
using Xunit;

namespace Loopwire.TestKit;

/// <summary>
/// A real Loopwire server (Kestrel on 127.0.0.1, a free port, memory store) for tests that need real sockets: a class
/// fixture (<see cref="IClassFixture{TFixture}"/>) or a field started by the test class's own <see cref="IAsyncLifetime"/>.
/// </summary>
public sealed class KestrelLoopwire : IAsyncLifetime
{
    private LoopbackServer? _server;

    /// <summary>The server's root URL, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    /// <exception cref="InvalidOperationException">Before <see cref="InitializeAsync"/>.</exception>
    public Uri BaseUrl => (_server ?? throw new InvalidOperationException("The server has not been started.")).BaseUrl;

    /// <summary>The server's gRPC address (its HTTP/2 cleartext port).</summary>
    /// <exception cref="InvalidOperationException">Before <see cref="InitializeAsync"/>.</exception>
    public Uri GrpcUrl => (_server ?? throw new InvalidOperationException("The server has not been started.")).GrpcUrl!;

    /// <inheritdoc />
    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
