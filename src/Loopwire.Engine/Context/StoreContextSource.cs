using Loopwire.Engine.Stores;

namespace Loopwire.Engine.Context;

/// <summary>The HTTP context source: <c>previous_response_id</c> is looked up in the response store.</summary>
/// <remarks>Every lookup loads the whole chain and the engine re-renders it: that is what stateless HTTP costs.</remarks>
public sealed class StoreContextSource(IResponseStore store, string? tenant) : IContextSource
{
    /// <inheritdoc />
    public string? Tenant => tenant;

    /// <inheritdoc />
    public long MaxStateBytes => long.MaxValue;

    /// <inheritdoc />
    public Task<ContextResolution> ResolveAsync(string previousResponseId, CancellationToken cancellationToken = default) =>
        ConversationLoader.ResolveAsync(store, previousResponseId, tenant, cancellationToken);

    /// <inheritdoc />
    public void OnCompleted(ConversationState state)
    {
    }

    /// <inheritdoc />
    public void OnFailed(string? previousResponseId)
    {
    }
}
