using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;

namespace Loopwire.Client.Sessions;

/// <summary>What the first attempt of a turn sends: the new items after a previous response, or the full conversation.</summary>
/// <param name="Items">The full conversation (or, for a raw continuation, exactly the items to send).</param>
/// <param name="Options">The caller's request options, as given.</param>
/// <param name="Template">The request without input and chaining, <c>store</c> fixed by the transport.</param>
/// <param name="OptionsKey">The bytes that decide "options unchanged" on the next turn.</param>
/// <param name="Delta">The items to send after <paramref name="PreviousResponseId"/>; null to send <paramref name="Items"/> in full.</param>
/// <param name="PreviousResponseId">The response <paramref name="Delta"/> continues; null with a full send.</param>
/// <param name="IsRawContinuation">The caller named the previous response; there is no context to replay.</param>
/// <param name="ChainLostWithConnection">A delta was possible but its response lives on a connection that is gone, so
/// the turn starts as a replay.</param>
internal sealed record TurnPlan(
    IReadOnlyList<ResponseItem> Items,
    CreateResponseRequest Options,
    CreateResponseRequest Template,
    byte[] OptionsKey,
    IReadOnlyList<ResponseItem>? Delta,
    string? PreviousResponseId,
    bool IsRawContinuation,
    bool ChainLostWithConnection);
