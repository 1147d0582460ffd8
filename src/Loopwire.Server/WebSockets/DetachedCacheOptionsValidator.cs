using Loopwire.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.WebSockets;

/// <summary>Validates the detached-cache options at start-up; each failure names its key.</summary>
internal sealed class DetachedCacheOptionsValidator : IValidateOptions<LoopwireServerOptions>
{
    public ValidateOptionsResult Validate(string? name, LoopwireServerOptions options)
    {
        var ws = options.WebSocket;
        var failures = new List<string>();
        if (ws.DetachedCacheSeconds is < 0 or > 86_400)
        {
            failures.Add($"Loopwire:WebSocket:DetachedCacheSeconds must be between 0 and 86400 (0 keeps nothing); got {ws.DetachedCacheSeconds}.");
        }

        if (ws.MaxDetachedCacheBytesPerTenant < 0)
        {
            failures.Add($"Loopwire:WebSocket:MaxDetachedCacheBytesPerTenant must be 0 or more; got {ws.MaxDetachedCacheBytesPerTenant}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
