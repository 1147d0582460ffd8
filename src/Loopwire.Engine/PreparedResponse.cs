using Loopwire.Engine.Context;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;

namespace Loopwire.Engine;

/// <summary>A request that passed validation and is ready to stream.</summary>
/// <remarks>Owned by one turn; not thread-safe. <see cref="Outcome"/> is set once, when the stream ends.</remarks>
public sealed class PreparedResponse
{
    internal PreparedResponse(string id, CreateResponseRequest request, ConversationState state, IContextSource source,
        IReadOnlyList<ResponseItem> input, int promptTokens, long createdAt, TurnTimings timings)
    {
        Id = id;
        Request = request;
        State = state;
        Source = source;
        Input = input;
        PromptTokens = promptTokens;
        CreatedAt = createdAt;
        Timings = timings;
        ModelView = state;
    }

    /// <summary>The new response id.</summary>
    public string Id { get; }

    /// <summary>The request.</summary>
    public CreateResponseRequest Request { get; }

    /// <summary>The conversation, including this request's input.</summary>
    public ConversationState State { get; }

    /// <summary>Where the context came from; told about completion or failure.</summary>
    public IContextSource Source { get; }

    /// <summary>This request's own input items (with ids, as stored).</summary>
    public IReadOnlyList<ResponseItem> Input { get; }

    /// <summary>
    /// What the model is given: <see cref="State"/> itself, or a view without the items compaction superseded or
    /// <c>truncation: "auto"</c> dropped.
    /// </summary>
    public ConversationState ModelView { get; internal set; }

    /// <summary>The context window of the request's model, in tokens.</summary>
    public int ContextWindow { get; internal init; }

    /// <summary>Prompt tokens (header + the items of <see cref="ModelView"/>).</summary>
    public int PromptTokens { get; }

    /// <summary>Unix seconds.</summary>
    public long CreatedAt { get; }

    /// <summary>Stage timings, completed as the stream runs.</summary>
    public TurnTimings Timings { get; }

    /// <summary>Ends the response early (steer, interrupt) when requested while it streams.</summary>
    public ResponseStop Stop { get; } = new();

    /// <summary>True when this is the automatic successor of a steered response (set by the caller before streaming).</summary>
    public bool SteerSuccessor { get; set; }

    /// <summary>The conversation this response runs in (<c>conversation</c> on create), locked until the stream ends; or null.</summary>
    internal Conversations.ConversationLease? Conversation { get; set; }

    /// <summary>How the response ended, once the stream has yielded its terminal event; null before that or when cancelled.</summary>
    public ResponseOutcome? Outcome { get; internal set; }
}

/// <summary>The result of <see cref="ResponseEngine.PrepareAsync"/>: a prepared response or an error.</summary>
/// <param name="Prepared">The prepared response, when the request is valid.</param>
/// <param name="Error">Why it is not, otherwise.</param>
public sealed record PrepareResult(PreparedResponse? Prepared, ProtocolError? Error);
