using Loopwire.Bench.Load;

namespace Loopwire.Bench.Tests.Load;

public sealed class LoadSettingsTests
{
    [Fact]
    public void Validate_Defaults_AreUsable() => Assert.Null(new LoadSettings().Validate());

    [Theory]
    [InlineData("ws,grpc", 4, 10, false, "unknown arm(s) grpc; known: ws, http-chained, http-stateless.")]
    [InlineData("ws", 0, 10, false, "--sessions must be between 1 and 10000, got 0.")]
    [InlineData("ws", 4, 0, false, "--turns must be between 1 and 100000, got 0.")]
    [InlineData("http-chained", 4, 10, true, "--ceiling replays the ws arm's frames; add ws to --arms.")]
    public void Validate_BadSettings_NamesTheOption(string arms, int sessions, int turns, bool ceiling, string expected)
    {
        var settings = new LoadSettings { Arms = arms.Split(','), Sessions = sessions, Turns = turns, Ceiling = ceiling };

        Assert.Equal(expected, settings.Validate());
    }
}
