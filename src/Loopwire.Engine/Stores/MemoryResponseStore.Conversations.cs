using System.Collections.Concurrent;
using Loopwire.Protocol.Items;

namespace Loopwire.Engine.Stores;

/// <summary>The <see cref="IConversationStore"/> part of the memory store: one entry per conversation, guarded by its own lock.</summary>
public sealed partial class MemoryResponseStore : IConversationStore
{
    private readonly ConcurrentDictionary<string, ConversationEntry> _conversations = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task CreateConversationAsync(StoredConversation conversation, IReadOnlyList<ResponseItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        ArgumentNullException.ThrowIfNull(items);
        var entry = new ConversationEntry(conversation);
        entry.Items.AddRange(items);
        _conversations[conversation.Id] = entry;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<StoredConversation?> GetConversationAsync(string id, string? tenant, CancellationToken cancellationToken = default)
    {
        var entry = FindConversation(id, tenant);
        if (entry is null)
        {
            return Task.FromResult<StoredConversation?>(null);
        }

        lock (entry)
        {
            return Task.FromResult<StoredConversation?>(entry.Conversation);
        }
    }

    /// <inheritdoc />
    public Task<StoredConversation?> UpdateConversationAsync(string id, string? tenant, IReadOnlyDictionary<string, string> metadata,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var entry = FindConversation(id, tenant);
        if (entry is null)
        {
            return Task.FromResult<StoredConversation?>(null);
        }

        lock (entry)
        {
            entry.Conversation = entry.Conversation with { Metadata = new Dictionary<string, string>(metadata, StringComparer.Ordinal) };
            return Task.FromResult<StoredConversation?>(entry.Conversation);
        }
    }

    /// <inheritdoc />
    public Task<bool> DeleteConversationAsync(string id, string? tenant, CancellationToken cancellationToken = default) =>
        Task.FromResult(FindConversation(id, tenant) is { } entry && ((ICollection<KeyValuePair<string, ConversationEntry>>)_conversations).Remove(new(id, entry)));

    /// <inheritdoc />
    public Task<bool> AppendConversationItemsAsync(string id, string? tenant, IReadOnlyList<ResponseItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var entry = FindConversation(id, tenant);
        if (entry is null)
        {
            return Task.FromResult(false);
        }

        lock (entry)
        {
            entry.Items.AddRange(items);
        }

        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public Task<ConversationItemPage?> ListConversationItemsAsync(string id, string? tenant, ConversationItemQuery query,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var entry = FindConversation(id, tenant);
        if (entry is null)
        {
            return Task.FromResult<ConversationItemPage?>(null);
        }

        List<ResponseItem> ordered;
        lock (entry)
        {
            ordered = [.. entry.Items];
        }

        if (!query.Ascending)
        {
            ordered.Reverse();
        }

        int start = 0;
        if (query.After is { } after)
        {
            int index = ordered.FindIndex(i => i.Id == after);
            if (index < 0)
            {
                return Task.FromResult<ConversationItemPage?>(new ConversationItemPage([], false, AfterNotFound: true));
            }

            start = index + 1;
        }

        var page = ordered.Skip(start).Take(query.Limit).ToList();
        return Task.FromResult<ConversationItemPage?>(new ConversationItemPage(page, ordered.Count - start > page.Count));
    }

    /// <inheritdoc />
    public Task<ResponseItem?> GetConversationItemAsync(string id, string itemId, string? tenant, CancellationToken cancellationToken = default)
    {
        var entry = FindConversation(id, tenant);
        if (entry is null)
        {
            return Task.FromResult<ResponseItem?>(null);
        }

        lock (entry)
        {
            return Task.FromResult(entry.Items.LastOrDefault(i => i.Id == itemId));
        }
    }

    /// <inheritdoc />
    public Task<bool> DeleteConversationItemAsync(string id, string itemId, string? tenant, CancellationToken cancellationToken = default)
    {
        var entry = FindConversation(id, tenant);
        if (entry is null)
        {
            return Task.FromResult(false);
        }

        lock (entry)
        {
            return Task.FromResult(entry.Items.RemoveAll(i => i.Id == itemId) > 0);
        }
    }

    /// <inheritdoc />
    public Task<ConversationLockResult> TryLockConversationAsync(string id, string? tenant, string owner, DateTimeOffset now, TimeSpan lease,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var entry = FindConversation(id, tenant);
        if (entry is null)
        {
            return Task.FromResult(ConversationLockResult.NotFound);
        }

        lock (entry)
        {
            if (entry.LockOwner is not null && entry.LockOwner != owner && entry.LockUntil > now)
            {
                return Task.FromResult(ConversationLockResult.Busy);
            }

            entry.LockOwner = owner;
            entry.LockUntil = now + lease;
            return Task.FromResult(ConversationLockResult.Acquired);
        }
    }

    /// <inheritdoc />
    public Task UnlockConversationAsync(string id, string owner, CancellationToken cancellationToken = default)
    {
        if (_conversations.TryGetValue(id, out var entry))
        {
            lock (entry)
            {
                if (entry.LockOwner == owner)
                {
                    entry.LockOwner = null;
                }
            }
        }

        return Task.CompletedTask;
    }

    private ConversationEntry? FindConversation(string id, string? tenant)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _conversations.TryGetValue(id, out var entry) && entry.Conversation.Tenant == tenant ? entry : null;
    }

    private sealed class ConversationEntry(StoredConversation conversation)
    {
        public StoredConversation Conversation { get; set; } = conversation;

        public List<ResponseItem> Items { get; } = [];

        public string? LockOwner { get; set; }

        public DateTimeOffset LockUntil { get; set; }
    }
}
