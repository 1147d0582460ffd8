using Loopwire.Agent.Scenarios;

namespace Loopwire.Agent.Tests.Scenarios;

public sealed class SampleLocatorTests
{
    [Fact]
    public void SampleLocator_FindsTheThreeSamples_NextToTheBinaries()
    {
        var directory = SampleLocator.FindSamplesDirectory();
        var samples = SampleLocator.GetSamples();

        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "samples"), directory);
        Assert.Equal(["fix-multi", "fix-small", "long-haul"], samples.Select(s => s.Name));
        Assert.All(samples, s => Assert.Equal(s.Name, s.LoadScenario().Name));
        Assert.False(Directory.EnumerateDirectories(directory, "__pycache__", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public void SampleLocator_FindsTheRepositoryCopy_ByWalkingUp()
    {
        Assert.True(SampleLocator.TryFindRepositorySamplesDirectory(out var directory));
        Assert.True(File.Exists(Path.Combine(directory, "..", "Loopwire.slnx")));
        Assert.True(File.Exists(Path.Combine(directory, "fix-small", ".loopwire", "scenario.json")));
    }

    [Fact]
    public void SampleLocator_UnknownSample_Throws()
    {
        var ex = Assert.Throws<DirectoryNotFoundException>(() => SampleLocator.GetSample("nope"));

        Assert.Contains("fix-small", ex.Message, StringComparison.Ordinal);
    }
}
