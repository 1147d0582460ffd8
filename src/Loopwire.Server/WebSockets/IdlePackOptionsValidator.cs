using Loopwire.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.WebSockets;

/// <summary>Validates the idle-packing option at start-up; a failure names its key.</summary>
internal sealed class IdlePackOptionsValidator : IValidateOptions<LoopwireServerOptions>
{
    /// <summary>The shortest idle time that packs (below it a session would be packed between its own turns). <value>100 ms</value></summary>
    internal static readonly TimeSpan Min = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest. <value>1 day</value></summary>
    internal static readonly TimeSpan Max = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, LoopwireServerOptions options)
    {
        var after = options.WebSocket.PackIdleAfter;
        return after == TimeSpan.Zero || (after >= Min && after <= Max)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Loopwire:WebSocket:PackIdleAfter must be 0 (never pack) or between 00:00:00.1 and 1.00:00:00; got {after}.");
    }
}
