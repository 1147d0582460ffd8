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

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
