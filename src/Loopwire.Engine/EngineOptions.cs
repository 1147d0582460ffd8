namespace Loopwire.Engine;

/// <summary>Engine limits and behaviour.</summary>
public sealed class EngineOptions
{
    /// <summary>The largest context, in tokens, a request may reach. <value>1,000,000.</value></summary>
    public int MaxContextTokens { get; set; } = 1_000_000;

    /// <summary>
    /// Context windows by model name or glob (<c>sim-spark</c>, <c>llama*</c>), in tokens; <c>truncation</c> and the
    /// <c>context_length_exceeded</c> check use them. A model not listed takes its backend's window (the simulated
    /// profiles have one), else <see cref="MaxContextTokens"/>. <value>Empty.</value>
    /// </summary>
    public Dictionary<string, int> ContextWindows { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The most input items one request may carry. <value>10,000.</value></summary>
    public int MaxItemsPerRequest { get; set; } = 10_000;

    /// <summary>
    /// Whether spans and the request-duration metric carry the caller's tenant (<c>loopwire.tenant</c>). Off, a tenant's
    /// name never leaves the server through telemetry. <value>false.</value>
    /// </summary>
    public bool RecordTenant { get; set; }
}
