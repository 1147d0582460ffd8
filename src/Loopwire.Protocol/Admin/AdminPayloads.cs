namespace Loopwire.Protocol.Admin;

/// <summary>The list returned by <c>GET /loopwire/v1/turns</c>.</summary>
/// <param name="Data">The turns, oldest first.</param>
public sealed record TurnList(IReadOnlyList<TurnStages> Data);

/// <summary>One turn the server ran, with its own stage timings (milliseconds) and token counts.</summary>
/// <param name="Sequence">The server's sequence number of the turn; <c>?after=</c> pages by it.</param>
/// <param name="ResponseId">The response's id.</param>
/// <param name="Transport">How the request came, e.g. <c>ws</c>.</param>
/// <param name="Status">The response's final status.</param>
/// <param name="ParseMs">Parsing the request.</param>
/// <param name="ResolveMs">Resolving the conversation (cache or store).</param>
/// <param name="RenderMs">Rendering the context into tokens.</param>
/// <param name="ValidateMs">Validating the request against the conversation.</param>
/// <param name="StoreMs">Storing the response.</param>
/// <param name="BackendTtftMs">The backend's time to first token.</param>
/// <param name="BackendMs">The backend's whole time.</param>
/// <param name="OverheadMs">The server's own time, backend excluded.</param>
/// <param name="ItemsReceived">Input items in the request.</param>
/// <param name="ItemsRendered">Items rendered into the context.</param>
/// <param name="TokensRendered">Tokens rendered (not served from the render cache).</param>
/// <param name="PromptTokens">Prompt tokens.</param>
/// <param name="CachedTokens">Prompt tokens served from the prefix cache.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="FromCache">Whether the conversation came from the connection cache.</param>
public sealed record TurnStages(
    long Sequence,
    string ResponseId,
    string Transport,
    string Status,
    double ParseMs,
    double ResolveMs,
    double RenderMs,
    double ValidateMs,
    double StoreMs,
    double BackendTtftMs,
    double BackendMs,
    double OverheadMs,
    int ItemsReceived,
    int ItemsRendered,
    int TokensRendered,
    int PromptTokens,
    int CachedTokens,
    int OutputTokens,
    bool FromCache)
{
    /// <summary>
    /// Where the previous context came from: <c>cache</c> (this connection), <c>detached</c> (a dropped connection's cache,
    /// taken over), <c>store</c>, <c>prefix</c> (a re-sent history the server-side prefix cache knew) or <c>full</c>.
    /// </summary>
    public string? Continuation { get; init; }

    /// <summary>Prompt tokens taken from the server-side prefix cache instead of being rendered.</summary>
    public int PrefixTokensReused { get; init; }
}

/// <summary>One simulated profile's cost model.</summary>
/// <param name="Model">The profile's model name.</param>
/// <param name="BaseLatencyMs">The fixed latency of every turn.</param>
/// <param name="PrefillTokensPerSecond">Prompt tokens processed per second (cached ones are free).</param>
/// <param name="DecodeTokensPerSecond">Output tokens generated per second.</param>
public sealed record CostModelProfile(string Model, double BaseLatencyMs, double PrefillTokensPerSecond, double DecodeTokensPerSecond);

/// <summary>The list returned by <c>GET /loopwire/v1/cost-model</c>.</summary>
/// <param name="Data">One entry per simulated profile.</param>
/// <param name="DefaultProfile">The profile used for unknown model names.</param>
/// <param name="PrefixCacheBlockTokens">The prefix cache's block size in tokens.</param>
public sealed record CostModelList(IReadOnlyList<CostModelProfile> Data, string DefaultProfile, int PrefixCacheBlockTokens);
