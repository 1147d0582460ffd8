using System.Text.Json.Serialization;

namespace Loopwire.Protocol.Conversations;

/// <summary>A conversation of the Conversations API (<c>object: "conversation"</c>).</summary>
/// <param name="Id">The conversation id (<c>conv_…</c>).</param>
/// <param name="Object">Always <c>conversation</c>.</param>
/// <param name="CreatedAt">Unix seconds.</param>
/// <param name="Metadata">Up to 16 string pairs; always written, empty when none.</param>
public sealed record ConversationObject(
    string Id,
    string Object,
    long CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] IReadOnlyDictionary<string, string> Metadata);

/// <summary>The answer of <c>DELETE /v1/conversations/{id}</c>.</summary>
/// <param name="Id">The conversation id.</param>
/// <param name="Object">Always <c>conversation.deleted</c>.</param>
/// <param name="Deleted">True.</param>
public sealed record ConversationDeleted(string Id, string Object, bool Deleted);

/// <summary>The <c>conversation</c> a response echoes: <c>{"id":"conv_…"}</c>.</summary>
/// <param name="Id">The conversation id.</param>
public sealed record ConversationReference(string Id);
