using Loopwire.Protocol.Items;

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
        var chain = new List<StoredResponse>();
        string? id = responseId;
        while (id is not null)
        {
            if (chain.Count >= MaxDepth)
            {
                return null;
            }

            var r = await store.GetAsync(id, tenant, cancellationToken).ConfigureAwait(false);
            if (r is null)
            {
                return null;
            }

            chain.Add(r);
            id = r.PreviousResponseId;
        }

        var items = new List<ResponseItem>();
        for (int i = chain.Count - 1; i >= 0; i--)
        {
            items.AddRange(chain[i].Input);
            items.AddRange(chain[i].Response.Output);
        }

        return items;
    }
}
