using System.Collections.Concurrent;
using System.Collections.Immutable;
using Loopwire.Protocol.Items;

namespace Loopwire.Engine.Stores;

/// <summary>An <see cref="IResponseStore"/> that keeps responses in process memory.</summary>
/// <remarks>
/// Meant for tests and single-process runs that need no durability: everything is lost when the process ends.
/// All members are thread-safe. Responses are kept by reference as given to <see cref="SaveAsync"/>; their items
/// are immutable records, so callers must not mutate the lists they passed in after saving. Response ids are
/// global: a save replaces an existing response with the same id whatever its tenant.
/// </remarks>
public sealed partial class MemoryResponseStore : IResponseStore, IResponseRetention
{
    private readonly ConcurrentDictionary<string, StoredResponse> _responses = new(StringComparer.Ordinal);

    // An item id normally belongs to one response, but a client may re-send an item (with its id) as input of a
    // later request, so the index keeps every response that holds it; deleting one of them keeps the others.
    private readonly ConcurrentDictionary<ItemKey, ImmutableList<string>> _items = new();

    /// <inheritdoc />
    public Task SaveAsync(StoredResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        StoredResponse? previous = null;
        _responses.AddOrUpdate(
            response.Id,
            static (_, r) => r,
            (_, old, r) =>
            {
                previous = old;
                return r;
            },
            response);

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in AllItems(response))
        {
            if (ids.Add(item.Id!))
            {
                Index(new ItemKey(response.Tenant, item.Id!), response.Id);
            }
        }

        if (previous is not null)
        {
            foreach (var item in AllItems(previous))
            {
                if (previous.Tenant != response.Tenant || !ids.Contains(item.Id!))
                {
                    Unindex(new ItemKey(previous.Tenant, item.Id!), previous.Id);
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<StoredResponse?> GetAsync(string id, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return cancellationToken.IsCancellationRequested
            ? Task.FromCanceled<StoredResponse?>(cancellationToken)
            : Task.FromResult(Find(id, tenant));
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string id, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<bool>(cancellationToken);
        }

        var found = Find(id, tenant);
        if (found is null || !_responses.TryRemove(KeyValuePair.Create(id, found)))
        {
            return Task.FromResult(false);
        }

        foreach (var item in AllItems(found))
        {
            Unindex(new ItemKey(found.Tenant, item.Id!), found.Id);
        }

        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public Task<ResponseItem?> GetItemAsync(string itemId, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<ResponseItem?>(cancellationToken);
        }

        if (!_items.TryGetValue(new ItemKey(tenant, itemId), out var holders))
        {
            return Task.FromResult<ResponseItem?>(null);
        }

        // Newest holder first; the index may briefly lag a concurrent replace or delete, so check the response.
        for (int i = holders.Count - 1; i >= 0; i--)
        {
            var response = Find(holders[i], tenant);
            var item = response is null ? null : AllItems(response).LastOrDefault(x => x.Id == itemId);
            if (item is not null)
            {
                return Task.FromResult<ResponseItem?>(item);
            }
        }

        return Task.FromResult<ResponseItem?>(null);
    }

    /// <inheritdoc />
    public async Task<int?> DeleteCreatedBeforeAsync(DateTimeOffset createdBefore, CancellationToken cancellationToken = default)
    {
        long cutoff = createdBefore.ToUnixTimeSeconds();
        int deleted = 0;
        foreach (var (id, response) in _responses)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (response.Response.CreatedAt < cutoff && await DeleteAsync(id, response.Tenant, cancellationToken).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        return deleted;
    }

    private StoredResponse? Find(string id, string? tenant) =>
        _responses.TryGetValue(id, out var r) && r.Tenant == tenant ? r : null;

    private static IEnumerable<ResponseItem> AllItems(StoredResponse response) =>
        response.Input.Concat(response.Response.Output).Where(static x => x.Id is not null);

    private void Index(ItemKey key, string responseId) =>
        _items.AddOrUpdate(
            key,
            static (_, id) => [id],
            static (_, list, id) => list.Contains(id, StringComparer.Ordinal) ? list : list.Add(id),
            responseId);

    private void Unindex(ItemKey key, string responseId)
    {
        while (_items.TryGetValue(key, out var list))
        {
            var updated = list.Remove(responseId, StringComparer.Ordinal);
            if (ReferenceEquals(updated, list))
            {
                return;
            }

            bool done = updated.IsEmpty
                ? _items.TryRemove(KeyValuePair.Create(key, list))
                : _items.TryUpdate(key, updated, list);
            if (done)
            {
                return;
            }
        }
    }

    private readonly record struct ItemKey(string? Tenant, string ItemId);
}
