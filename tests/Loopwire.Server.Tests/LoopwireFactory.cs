using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests;

/// <summary>
/// The Loopwire server in memory for integration tests: memory store, the delay-free <c>sim-instant</c> model, and
/// logs sent to the output of the test that is running.
/// </summary>
/// <remarks>
/// One instance per test class (<see cref="IClassFixture{TFixture}"/>). xUnit runs the tests of a class one after
/// another, so <see cref="Output"/> is simply set by each test class constructor.
/// </remarks>
public sealed class LoopwireFactory : WebApplicationFactory<Program>
{
    /// <summary>The model every test uses: no prefill or decode delay.</summary>
    public const string Model = "sim-instant";

    /// <summary>Where server logs go; null drops them.</summary>
    public ITestOutputHelper? Output { get; set; }

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

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Loopwire:Store", "memory");
        builder.UseSetting("Loopwire:DefaultModelProfile", Model);
        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(new TestOutputLoggerProvider(() => Output));
        });
    }
}
