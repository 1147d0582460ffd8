using Loopwire.Engine.Stores;
using Loopwire.Protocol.Conversations;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;

namespace Loopwire.Engine.Conversations;

/// <summary>
/// A response's hold on the conversation it runs in (<c>conversation</c> on create): the conversation's items as they were
/// when the turn started, and the store lock that keeps a second response out until this one ends.
/// </summary>
/// <remarks>
/// Taken by <see cref="AcquireAsync"/> while the request is prepared; the engine appends the turn's input and output
/// when the model finished, and releases the lock when the stream ends (or the prepare fails). A lease that is never
/// released (a process that died) ends after <see cref="Lease"/>. Owned by one turn; not thread-safe.
/// </remarks>
internal sealed class ConversationLease
{
    /// <summary>How long a lock holds without being released: longer than any turn should take.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(15);

    private readonly IConversationStore _store;
    private readonly string _owner;
    private bool _released;

    private ConversationLease(IConversationStore store, string id, string? tenant, string owner, IReadOnlyList<ResponseItem> items)
    {
        _store = store;
        Id = id;
        Tenant = tenant;
        _owner = owner;
        Items = items;
    }

    /// <summary>The conversation id.</summary>
    public string Id { get; }

    /// <summary>The tenant that owns it.</summary>
    public string? Tenant { get; }

    /// <summary>The conversation's items when the turn started, oldest first.</summary>
    public IReadOnlyList<ResponseItem> Items { get; }

    /// <summary>Locks conversation <paramref name="id"/> and loads its items.</summary>
    /// <returns>The lease, or the error to answer with: 404 when absent, 400 <c>conversation_locked</c> when another response uses it.</returns>
    public static async Task<(ConversationLease? Lease, ProtocolError? Error)> AcquireAsync(IResponseStore store, string id, string? tenant,
        TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        if (store is not IConversationStore conversations)
        {
            return (null, ProtocolError.Invalid("'conversation' needs a store with conversations; this server's store has none.", "conversation",
                ErrorCodes.UnsupportedParameter));
        }

        string owner = Ids.NewItemId("lock");
        var result = await conversations.TryLockConversationAsync(id, tenant, owner, time.GetUtcNow(), Lease, ct).ConfigureAwait(false);
        switch (result)
        {
            case ConversationLockResult.NotFound:
                return (null, ConversationErrors.NotFound(id, "conversation"));
            case ConversationLockResult.Busy:
                return (null, ConversationErrors.Locked(id));
        }

        try
        {
            var page = await conversations.ListConversationItemsAsync(id, tenant, new ConversationItemQuery(null, int.MaxValue - 1, Ascending: true), ct)
                .ConfigureAwait(false);
            if (page is null)
            {
                await conversations.UnlockConversationAsync(id, owner, CancellationToken.None).ConfigureAwait(false);
                return (null, ConversationErrors.NotFound(id, "conversation"));
            }

            return (new ConversationLease(conversations, id, tenant, owner, page.Items), null);
        }
        catch
        {
            await conversations.UnlockConversationAsync(id, owner, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The echo of this conversation on the response object.</summary>
    public ConversationReference Reference => new(Id);

    /// <summary>Appends a finished turn's input and output, in that order, to the conversation.</summary>
    public Task AppendAsync(IReadOnlyList<ResponseItem> input, IReadOnlyList<ResponseItem> output, CancellationToken ct)
    {
        var items = input.Concat(output).Select(i => i.Id is null ? Ids.WithNewId(i) : i).ToList();
        return _store.AppendConversationItemsAsync(Id, Tenant, items, ct);
    }

    /// <summary>Releases the lock (once); failures are left to the lease to clean up.</summary>
    public async Task ReleaseAsync()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        try
        {
            await _store.UnlockConversationAsync(Id, _owner, CancellationToken.None).ConfigureAwait(false);
        }
        catch (StoreUnavailableException)
        {
            // The lease ends by itself.
        }
    }
}
