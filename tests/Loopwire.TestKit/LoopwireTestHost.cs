using System.Net.Http.Headers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Loopwire.TestKit;

/// <summary>
/// The Loopwire server in memory for integration tests: a memory store, extra configuration, an optional clock and
/// captured logs mirrored to the running test's output.
/// </summary>
/// <remarks>
/// Test projects derive thin hosts from it to fix their own defaults. <see cref="Output"/> may be set by each test of a
/// class sharing one host (xUnit runs those one after another).
/// </remarks>
public class LoopwireTestHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string> _settings = new(StringComparer.OrdinalIgnoreCase) { ["Loopwire:Store"] = "memory" };

    /// <summary>Creates a host.</summary>
    /// <param name="settings">Configuration on top of the memory store, e.g. <c>Loopwire:WebSocket:MaxConnectionAge</c>.</param>
    /// <param name="time">The server's clock (a <c>FakeTimeProvider</c>); null keeps the system clock.</param>
    /// <param name="output">Where server logs are mirrored; null only captures them.</param>
    public LoopwireTestHost(IEnumerable<KeyValuePair<string, string>>? settings = null, TimeProvider? time = null, ITestOutputHelper? output = null)
    {
        foreach (var (key, value) in settings ?? [])
        {
            _settings[key] = value;
        }

        Time = time;
        Logs = new CapturingLoggerProvider(output);
    }

    /// <summary>The server's logs (Debug and up; Warning and up for framework categories).</summary>
    public CapturingLoggerProvider Logs { get; }

    /// <summary>Where server logs are mirrored; null drops them.</summary>
    public ITestOutputHelper? Output
    {
        get => Logs.Output;
        set => Logs.Output = value;
    }

    /// <summary>The clock the server runs on; null is the system clock.</summary>
    public TimeProvider? Time { get; }

    /// <summary>A server sharing this one's set-up with extra configuration, e.g. <c>Loopwire:SseDoneSentinel=true</c>.</summary>
    /// <remarks>Derived factories are disposed with this one.</remarks>
    public WebApplicationFactory<Program> WithSettings(params (string Key, string Value)[] settings) =>
        WithWebHostBuilder(b =>
        {
            foreach (var (key, value) in settings)
            {
                b.UseSetting(key, value);
            }
        });

    /// <summary>An HTTP client for the server sending <c>Authorization: Bearer <paramref name="apiKey"/></c> (none when null).</summary>
    public HttpClient CreateClient(string? apiKey)
    {
        var client = CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    /// <summary>Opens a WebSocket to <paramref name="path"/> through the test server.</summary>
    /// <param name="apiKey">Sent as a bearer token when not null.</param>
    /// <param name="path">The endpoint; <c>/v1/responses</c> unless given.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    public Task<WebSocket> ConnectWebSocketAsync(string? apiKey = null, string path = "/v1/responses", CancellationToken cancellationToken = default)
    {
        var client = Server.CreateWebSocketClient();
        if (apiKey is not null)
        {
            client.ConfigureRequest = r => r.Headers.Authorization = "Bearer " + apiKey;
        }

        return client.ConnectAsync(new Uri(Server.BaseAddress, path), cancellationToken);
    }

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            logging.SetMinimumLevel(LogLevel.Debug);
            logging.AddFilter("Microsoft", LogLevel.Warning);
            logging.AddFilter("System", LogLevel.Warning);
            logging.AddProvider(Logs);
        });
        if (Time is { } time)
        {
            builder.ConfigureTestServices(services => services.AddSingleton(time));
        }
    }
}
