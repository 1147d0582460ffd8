using Loopwire.Engine.Context;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;

namespace Loopwire.Engine.Stores;

/// <summary>Rebuilds a conversation from the store by walking parent links.</summary>
public static class ConversationLoader
{
    /// <summary>The deepest chain that is walked before giving up. <value>100,000.</value></summary>
    public const int MaxDepth = 100_000;

    /// <summary>
    /// Returns every item of the chain that ends at <paramref name="responseId"/> (each response's input then its
    /// output, oldest first), or null when the response or one of its ancestors is missing.
    /// </summary>
    public static async Task<List<ResponseItem>?> LoadItemsAsync(
        IResponseStore store, string responseId, string? tenant, CancellationToken cancellationToken = default)
    {
        if (store is IResponseChainStore chains)
        {
            return Flatten(await chains.GetChainAsync(responseId, tenant, MaxDepth, cancellationToken).ConfigureAwait(false));
        }

        var head = await store.GetAsync(responseId, tenant, cancellationToken).ConfigureAwait(false);
        return head is null ? null : await LoadChainAsync(store, head, tenant, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Resolves <c>previous_response_id</c> from the store for a context source: the conversation up to and including
    /// that response, <c>previous_response_not_found</c> when it (or an ancestor) is missing, or an error when it is a
    /// background response that has not finished yet.
    /// </summary>
    public static async Task<ContextResolution> ResolveAsync(IResponseStore store, string responseId, string? tenant,
        CancellationToken cancellationToken = default)
    {
        IReadOnlyList<StoredResponse>? chain = null;
        StoredResponse? head;
        if (store is IResponseChainStore chains)
        {
            chain = await chains.GetChainAsync(responseId, tenant, MaxDepth, cancellationToken).ConfigureAwait(false);
            head = chain.Count > 0 ? chain[0] : null;
        }
        else
        {
            head = await store.GetAsync(responseId, tenant, cancellationToken).ConfigureAwait(false);
        }

        if (head?.Response.Status is ResponseStatus.Queued or ResponseStatus.InProgress)
        {
            return new ContextResolution(null, ProtocolError.Invalid(
                $"Previous response '{responseId}' is still {head.Response.Status}; continue from it once it has finished.",
                "previous_response_id", ErrorCodes.PreviousResponseInProgress));
        }

        var items = chain is not null ? Flatten(chain)
            : head is null ? null
            : await LoadChainAsync(store, head, tenant, cancellationToken).ConfigureAwait(false);
        return items is null
            ? new ContextResolution(null, ProtocolError.PreviousResponseNotFound(responseId))
            : new ContextResolution(new ConversationState(items) { ResponseId = responseId, Persisted = true }, null);
    }

    private static async Task<List<ResponseItem>?> LoadChainAsync(IResponseStore store, StoredResponse head, string? tenant, CancellationToken ct)
    {
        var chain = new List<StoredResponse> { head };
        string? id = head.PreviousResponseId;
        while (id is not null)
        {
            if (chain.Count >= MaxDepth)
            {
                return null;
            }

            var r = await store.GetAsync(id, tenant, ct).ConfigureAwait(false);
            if (r is null)
            {
                return null;
            }

            chain.Add(r);
            id = r.PreviousResponseId;
        }

        return ToItems(chain);
    }

    // A chain from IResponseChainStore is usable only when it reaches a root (a response without a parent).
    private static List<ResponseItem>? Flatten(IReadOnlyList<StoredResponse> chain) =>
        chain.Count == 0 || chain[^1].PreviousResponseId is not null ? null : ToItems(chain);

    private static List<ResponseItem> ToItems(IReadOnlyList<StoredResponse> newestFirst)
    {
        var items = new List<ResponseItem>();
        for (int i = newestFirst.Count - 1; i >= 0; i--)
        {
            items.AddRange(newestFirst[i].Input);
            items.AddRange(newestFirst[i].Response.Output);
        }

        return items;
    }
}
