using Loopwire.Protocol.Items;

namespace Loopwire.Protocol.Conversations;

/// <summary>The body of <c>POST /v1/conversations</c>.</summary>
/// <param name="Items">Initial items (at most 20), oldest first.</param>
/// <param name="Metadata">Up to 16 string pairs.</param>
public sealed record CreateConversationRequest(IReadOnlyList<ResponseItem> Items, IReadOnlyDictionary<string, string> Metadata);

/// <summary>The body of <c>POST /v1/conversations/{id}</c>: the new metadata (null clears it).</summary>
/// <param name="Metadata">The metadata that replaces the old one.</param>
public sealed record UpdateConversationRequest(IReadOnlyDictionary<string, string> Metadata);

/// <summary>The body of <c>POST /v1/conversations/{id}/items</c>.</summary>
/// <param name="Items">The items to append (1 to 20), oldest first.</param>
public sealed record AddConversationItemsRequest(IReadOnlyList<ResponseItem> Items);
