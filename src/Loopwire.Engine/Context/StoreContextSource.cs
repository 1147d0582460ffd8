using Loopwire.Engine.Stores;
using Loopwire.Protocol.Errors;

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
    public async Task<ContextResolution> ResolveAsync(string previousResponseId, CancellationToken cancellationToken = default)
    {
        var items = await ConversationLoader.LoadItemsAsync(store, previousResponseId, tenant, cancellationToken).ConfigureAwait(false);
        if (items is null)
        {
            return new ContextResolution(null, ProtocolError.PreviousResponseNotFound(previousResponseId));
        }

        return new ContextResolution(new ConversationState(items) { ResponseId = previousResponseId, Persisted = true }, null);
    }

    /// <inheritdoc />
    public void OnCompleted(ConversationState state)
    {
    }

    /// <inheritdoc />
    public void OnFailed(string? previousResponseId)
    {
    }
}
