using Loopwire.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.Background;

/// <summary>Validates <c>Loopwire:Background</c> at start-up (data annotations do not reach nested options).</summary>
internal sealed class BackgroundOptionsValidator : IValidateOptions<LoopwireServerOptions>
{
    public ValidateOptionsResult Validate(string? name, LoopwireServerOptions options)
    {
        var b = options.Background;
        var errors = new List<string>();
        if (b.MaxBufferedEvents is < 1 or > 10_000_000)
        {
            errors.Add($"Loopwire:Background:MaxBufferedEvents must be between 1 and 10,000,000, got {b.MaxBufferedEvents}.");
        }

        if (b.Retention < TimeSpan.Zero)
        {
            errors.Add($"Loopwire:Background:Retention must not be negative, got {b.Retention}.");
        }

        if (b.LeaseRenewInterval < TimeSpan.FromMilliseconds(10) || b.LeaseRenewInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"Loopwire:Background:LeaseRenewInterval must be between 00:00:00.010 and 01:00:00, got {b.LeaseRenewInterval}.");
        }

        if (b.LeaseDuration < 2 * b.LeaseRenewInterval || b.LeaseDuration > TimeSpan.FromDays(1))
        {
            errors.Add($"Loopwire:Background:LeaseDuration must be at least twice Loopwire:Background:LeaseRenewInterval " +
                $"({2 * b.LeaseRenewInterval}) and at most 1.00:00:00, got {b.LeaseDuration}.");
        }

        if (b.FollowPollInterval < TimeSpan.FromMilliseconds(10) || b.FollowPollInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add($"Loopwire:Background:FollowPollInterval must be between 00:00:00.010 and 00:01:00, got {b.FollowPollInterval}.");
        }

        if (b.NodeId is { Length: > 200 })
        {
            errors.Add($"Loopwire:Background:NodeId must be at most 200 characters, got {b.NodeId.Length}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
