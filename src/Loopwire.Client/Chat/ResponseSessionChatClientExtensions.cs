using Loopwire.Client.Chat;
using Microsoft.Extensions.AI;

namespace Loopwire.Client.Sessions;

/// <summary>Microsoft.Extensions.AI adapters for <see cref="ResponseSession"/>.</summary>
public static class ResponseSessionChatClientExtensions
{
    /// <summary>Wraps the session as an <see cref="IChatClient"/>.</summary>
    /// <param name="session">The session; not owned (disposing the chat client leaves it open).</param>
    /// <param name="defaultModelId">The model used when <see cref="ChatOptions.ModelId"/> is not set.</param>
    /// <returns>The chat client. It maps text, reasoning, function calls and results, tools from <see cref="ChatOptions.Tools"/>
    /// (each <see cref="AIFunctionDeclaration"/> becomes a function tool with its JSON schema), and
    /// <see cref="ChatOptions.ConversationId"/> to <c>previous_response_id</c>.</returns>
    /// <remarks>One conversation turn runs at a time, as on the session.</remarks>
    public static IChatClient AsIChatClient(this ResponseSession session, string? defaultModelId = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new ResponsesChatClient(session, defaultModelId, session.Endpoint);
    }
}
