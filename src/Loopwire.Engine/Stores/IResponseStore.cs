using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;

namespace Loopwire.Engine.Stores;

/// <summary>A persisted response: its parent, its own input items (with ids) and the response object (with output).</summary>
/// <param name="Id">The response id (<c>resp_…</c>).</param>
/// <param name="PreviousResponseId">The parent, or null for the root of a chain.</param>
/// <param name="Tenant">The owner; null when the server runs without tenants.</param>
/// <param name="Input">This request's own input items, each with an id.</param>
/// <param name="Response">The final response object, including output items and usage.</param>
public sealed record StoredResponse(
    string Id,
    string? PreviousResponseId,
    string? Tenant,
    IReadOnlyList<ResponseItem> Input,
    ResponseObject Response);

/// <summary>Durable storage of responses created with <c>store: true</c>.</summary>
/// <remarks>
/// Implementations are thread-safe. A save is durable when the returned task completes: the engine saves
/// before it emits the terminal event, so a client that chains right after <c>response.completed</c> finds it.
/// Lookups are scoped by tenant: a response of another tenant is reported as absent.
/// </remarks>
public interface IResponseStore
{
    /// <summary>Persists a response (insert or replace).</summary>
    Task SaveAsync(StoredResponse response, CancellationToken cancellationToken = default);

    /// <summary>Gets a response by id, or null when absent, deleted or owned by another tenant.</summary>
    Task<StoredResponse?> GetAsync(string id, string? tenant, CancellationToken cancellationToken = default);

    /// <summary>Deletes a response; true when it existed for that tenant.</summary>
    Task<bool> DeleteAsync(string id, string? tenant, CancellationToken cancellationToken = default);

    /// <summary>Finds a stored item (input or output) by its item id, for <c>item_reference</c>.</summary>
    Task<ResponseItem?> GetItemAsync(string itemId, string? tenant, CancellationToken cancellationToken = default);
}
