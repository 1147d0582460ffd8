using Loopwire.TestKit;

namespace Loopwire.Server.Tests;

/// <summary>
/// The shared in-memory server of the Server tests: the kit's host with the delay-free <c>sim-instant</c> model as the
/// default profile, logs only mirrored to the running test's output (not kept: fuzz and soak runs are long).
/// </summary>
/// <remarks>One instance per test class (<see cref="IClassFixture{TFixture}"/>); each test class constructor sets <see cref="LoopwireTestHost.Output"/>.</remarks>
public sealed class LoopwireFactory : LoopwireTestHost
{
    /// <summary>The model every test uses: no prefill or decode delay.</summary>
    public const string Model = Requests.InstantModel;

    public LoopwireFactory()
        : base(new Dictionary<string, string> { ["Loopwire:DefaultModelProfile"] = Model })
    {
        Logs.Capture = false;
    }
}
