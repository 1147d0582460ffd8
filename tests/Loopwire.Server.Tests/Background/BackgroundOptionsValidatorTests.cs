using Loopwire.Server.Background;
using Loopwire.Server.Hosting;

namespace Loopwire.Server.Tests.Background;

/// <summary><c>Loopwire:Background</c> is checked at start: each bad value gets a message naming its key.</summary>
public sealed class BackgroundOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(new BackgroundOptionsValidator().Validate(null, new LoopwireServerOptions()).Succeeded);
    }

    [Theory]
    [InlineData("00:00:30", "00:00:20", "00:00:00.200", "Loopwire:Background:LeaseDuration must be at least twice")]
    [InlineData("00:00:30", "00:00:00", "00:00:00.200", "Loopwire:Background:LeaseRenewInterval must be between")]
    [InlineData("00:00:30", "00:00:10", "00:00:00", "Loopwire:Background:FollowPollInterval must be between")]
    public void Validate_BadLeaseOrPoll_FailsNamingTheKey(string leaseDuration, string renewInterval, string pollInterval, string expected)
    {
        var options = new LoopwireServerOptions
        {
            Background = new BackgroundOptions
            {
                LeaseDuration = TimeSpan.Parse(leaseDuration, System.Globalization.CultureInfo.InvariantCulture),
                LeaseRenewInterval = TimeSpan.Parse(renewInterval, System.Globalization.CultureInfo.InvariantCulture),
                FollowPollInterval = TimeSpan.Parse(pollInterval, System.Globalization.CultureInfo.InvariantCulture),
            },
        };

        var result = new BackgroundOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }
}
