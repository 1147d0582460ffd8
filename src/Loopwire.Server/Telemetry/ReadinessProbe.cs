using Loopwire.Engine.Backends;
using Loopwire.Engine.Stores;

namespace Loopwire.Server.Telemetry;

/// <summary>Decides <c>GET /readyz</c>: started, not draining, the backends configured, and the store answering.</summary>
/// <remarks>
/// The backends are configured once the <see cref="ModelRouter"/> exists: it is built from validated options at startup.
/// The reason is one word (<c>starting</c>, <c>draining</c>, <c>store</c>), never an exception's text. Thread-safe.
/// </remarks>
internal sealed class ReadinessProbe(IResponseStore store, ModelRouter router, IHostApplicationLifetime lifetime, TimeProvider time)
{
    /// <summary>How long the store has to answer. <value>2 seconds</value></summary>
    public static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(2);

    // No response has this id (ids are resp_ + hex) and no tenant this name: the lookup touches the store and finds nothing.
    private const string ProbeId = "resp_readyz_probe";
    private const string ProbeTenant = "\0readyz";

    /// <summary>Null when ready; otherwise the one-word reason.</summary>
    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        if (!lifetime.ApplicationStarted.IsCancellationRequested)
        {
            return "starting";
        }

        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return "draining";
        }

        if (router.Models.Count == 0)
        {
            return "backends";
        }

        using var timeout = new CancellationTokenSource(StoreTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await store.GetAsync(ProbeId, ProbeTenant, linked.Token).ConfigureAwait(false);
            return null;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return "store";
        }
    }
}
