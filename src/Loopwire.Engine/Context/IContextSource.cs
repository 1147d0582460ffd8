using Loopwire.Protocol.Errors;

namespace Loopwire.Engine.Context;

/// <summary>Answers "what came before <c>previous_response_id</c>" for one transport.</summary>
/// <remarks>
/// Over HTTP it is the response store. Over a WebSocket it is first the connection cache, then the store.
/// </remarks>
public interface IContextSource
{
    /// <summary>The tenant requests are scoped to (null without tenants).</summary>
    string? Tenant { get; }

    /// <summary>The most memory a conversation state built on this source may hold; over it, the request fails.</summary>
    long MaxStateBytes { get; }

    /// <summary>
    /// Resolves <paramref name="previousResponseId"/> to a state the caller then owns and may append to,
    /// or an error (<c>previous_response_not_found</c>).
    /// </summary>
    Task<ContextResolution> ResolveAsync(string previousResponseId, CancellationToken cancellationToken = default);

    /// <summary>Called when a response completed on top of <paramref name="state"/> (which now ends with it).</summary>
    void OnCompleted(ConversationState state);

    /// <summary>Called when a turn built on <paramref name="previousResponseId"/> failed.</summary>
    void OnFailed(string? previousResponseId);

    /// <summary>
    /// Called when a turn built on <paramref name="previousResponseId"/> was cancelled (the client went away). A source that
    /// can undo the turn keeps the previous response; by default it is treated as a failure.
    /// </summary>
    void OnCancelled(string? previousResponseId) => OnFailed(previousResponseId);
}

/// <summary>The result of <see cref="IContextSource.ResolveAsync"/>: a state, or an error.</summary>
/// <param name="State">The state, when found.</param>
/// <param name="Error">The error, when not.</param>
/// <param name="FromCache">True when it came from a connection cache (no load, no re-render).</param>
public sealed record ContextResolution(ConversationState? State, ProtocolError? Error, bool FromCache = false)
{
    /// <summary>True when it came from a dropped connection's detached cache (taken over by this connection).</summary>
    public bool FromDetached { get; init; }
}

/// <summary>The caches of connections that went away without a clean close, kept for a grace period.</summary>
/// <remarks>A Loopwire extension: a reconnecting client continues with a delta instead of replaying its history.</remarks>
public interface IDetachedContexts
{
    /// <summary>Takes the detached state that ends with <paramref name="responseId"/> for <paramref name="tenant"/>, or null.</summary>
    /// <remarks>The state leaves the detached caches: only one connection may take it over.</remarks>
    ConversationState? TryTakeOver(string? tenant, string responseId);

    /// <summary>
    /// Waits (bounded) while a connection of <paramref name="tenant"/> that dropped is still handing its caches over; true
    /// when there was one to wait for (a take-over is worth trying again), false when none is detaching.
    /// </summary>
    Task<bool> WaitForDetachingAsync(string? tenant, CancellationToken cancellationToken) => Task.FromResult(false);

    /// <summary>
    /// Waits (bounded) while another open connection of <paramref name="tenant"/> holds <paramref name="responseId"/> in its
    /// caches: a reconnect that outran the server's noticing of the drop. True when there was one to wait for (a take-over is
    /// worth trying again), false when no open connection holds it.
    /// </summary>
    Task<bool> WaitForHolderAsync(string? tenant, string responseId, CancellationToken cancellationToken) => Task.FromResult(false);
}
