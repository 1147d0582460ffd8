using Loopwire.Simulation.Scenarios;

namespace Loopwire.Simulation.Tests.Scenarios;

public sealed class EmbeddedScenariosTests
{
    [Fact]
    public void All_SamplesEmbedded_ParsesEveryScenario()
    {
        var names = EmbeddedScenarios.All.Select(s => s.Name).Order(StringComparer.Ordinal);

        Assert.Equal(["fix-multi", "fix-small", "long-haul"], names);
    }
}
