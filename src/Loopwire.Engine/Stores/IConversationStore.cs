using Loopwire.Protocol.Items;

namespace Loopwire.Engine.Stores;

/// <summary>A stored conversation of the Conversations API (its items are kept apart, in order).</summary>
/// <param name="Id">The conversation id (<c>conv_…</c>).</param>
/// <param name="Tenant">The owner; null when the server runs without tenants.</param>
/// <param name="CreatedAt">Unix seconds.</param>
/// <param name="Metadata">Up to 16 string pairs.</param>
public sealed record StoredConversation(string Id, string? Tenant, long CreatedAt, IReadOnlyDictionary<string, string> Metadata);

/// <summary>Which page of a conversation's items to list.</summary>
/// <param name="After">List the items after this item id (in the listing order); null from the start.</param>
/// <param name="Limit">The most items to return.</param>
/// <param name="Ascending">Oldest first when true, newest first when false.</param>
public sealed record ConversationItemQuery(string? After, int Limit, bool Ascending);

/// <summary>A page of a conversation's items.</summary>
/// <param name="Items">The items, in the order asked for.</param>
/// <param name="HasMore">Whether more items follow this page.</param>
/// <param name="AfterNotFound">True when <see cref="ConversationItemQuery.After"/> is not an item of the conversation (the page is empty).</param>
public sealed record ConversationItemPage(IReadOnlyList<ResponseItem> Items, bool HasMore, bool AfterNotFound = false);

/// <summary>The result of <see cref="IConversationStore.TryLockConversationAsync"/>.</summary>
public enum ConversationLockResult
{
    /// <summary>The caller holds the lock until it unlocks or the lease ends.</summary>
    Acquired,

    /// <summary>Another response holds the lock.</summary>
    Busy,

    /// <summary>No such conversation for that tenant.</summary>
    NotFound,
}

/// <summary>Durable conversations: metadata, an ordered item list, and a lease lock that keeps two responses from using one at once.</summary>
/// <remarks>
/// Implemented next to <see cref="IResponseStore"/> by the memory, SQLite and PostgreSQL stores (same database).
/// Thread-safe. Lookups are scoped by tenant: a conversation of another tenant is reported as absent. Deleting a
/// conversation does not delete its items (as OpenAI), but they can no longer be reached through it. The lock is a
/// lease in the store, so on PostgreSQL it holds across nodes, and a node that dies holding it frees it when the lease ends.
/// </remarks>
public interface IConversationStore
{
    /// <summary>Creates a conversation with its initial items (each with an id).</summary>
    Task CreateConversationAsync(StoredConversation conversation, IReadOnlyList<ResponseItem> items, CancellationToken cancellationToken = default);

    /// <summary>Gets a conversation, or null when absent, deleted or another tenant's.</summary>
    Task<StoredConversation?> GetConversationAsync(string id, string? tenant, CancellationToken cancellationToken = default);

    /// <summary>Replaces a conversation's metadata; returns the updated conversation, or null when absent.</summary>
    Task<StoredConversation?> UpdateConversationAsync(string id, string? tenant, IReadOnlyDictionary<string, string> metadata,
        CancellationToken cancellationToken = default);

    /// <summary>Deletes a conversation; true when it existed for that tenant.</summary>
    Task<bool> DeleteConversationAsync(string id, string? tenant, CancellationToken cancellationToken = default);

    /// <summary>Appends items (each with an id) at the end; false when the conversation is absent.</summary>
    Task<bool> AppendConversationItemsAsync(string id, string? tenant, IReadOnlyList<ResponseItem> items, CancellationToken cancellationToken = default);

    /// <summary>Lists a page of items; null when the conversation is absent.</summary>
    Task<ConversationItemPage?> ListConversationItemsAsync(string id, string? tenant, ConversationItemQuery query,
        CancellationToken cancellationToken = default);

    /// <summary>Gets one item of a conversation, or null when the conversation or the item is absent.</summary>
    Task<ResponseItem?> GetConversationItemAsync(string id, string itemId, string? tenant, CancellationToken cancellationToken = default);

    /// <summary>Removes one item from a conversation; true when it was there.</summary>
    Task<bool> DeleteConversationItemAsync(string id, string itemId, string? tenant, CancellationToken cancellationToken = default);

    /// <summary>Takes the conversation's lock for <paramref name="owner"/> until <paramref name="now"/> + <paramref name="lease"/>, unless another owner holds an unexpired one.</summary>
    Task<ConversationLockResult> TryLockConversationAsync(string id, string? tenant, string owner, DateTimeOffset now, TimeSpan lease,
        CancellationToken cancellationToken = default);

    /// <summary>Releases the lock if <paramref name="owner"/> still holds it.</summary>
    Task UnlockConversationAsync(string id, string owner, CancellationToken cancellationToken = default);
}
