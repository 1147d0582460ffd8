using Loopwire.Protocol.Errors;

namespace Loopwire.Protocol.Conversations;

/// <summary>The errors of the Conversations API and of the <c>conversation</c> parameter.</summary>
public static class ConversationErrors
{
    /// <summary>404: no conversation with that id for the caller.</summary>
    /// <param name="id">The conversation id.</param>
    /// <param name="param">The parameter that named it (<c>conversation</c> on create), or null for a path.</param>
    public static ProtocolError NotFound(string id, string? param = null) =>
        new(404, ErrorTypes.InvalidRequest, ErrorCodes.ConversationNotFound, $"Conversation with id '{id}' not found.", param);

    /// <summary>404: no item with that id in the conversation.</summary>
    public static ProtocolError ItemNotFound(string conversationId, string itemId) =>
        new(404, ErrorTypes.InvalidRequest, ErrorCodes.ItemNotFound, $"Item with id '{itemId}' not found in conversation '{conversationId}'.", null);

    /// <summary>400 <c>conversation_locked</c>: another response is using the conversation.</summary>
    public static ProtocolError Locked(string id) =>
        new(400, ErrorTypes.InvalidRequest, ErrorCodes.ConversationLocked,
            $"Conversation '{id}' is in use by another response; wait until it finishes and try again.", "conversation");
}
