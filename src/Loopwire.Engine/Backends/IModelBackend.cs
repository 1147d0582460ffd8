using Loopwire.Engine.Context;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Errors;

namespace Loopwire.Engine.Backends;

/// <summary>What a backend is asked to continue: the resolved conversation and this request's options.</summary>
/// <param name="Model">The requested model name.</param>
/// <param name="Conversation">The full conversation (items and rendered tokens); read-only for the backend.</param>
/// <param name="Request">The request (tools, tool_choice, sampling options, max_output_tokens).</param>
public sealed record ModelRequest(string Model, ConversationState Conversation, CreateResponseRequest Request)
{
    /// <summary>
    /// The id the response being generated will have, when the engine knows it. Upstream backends that keep state per
    /// conversation key it by this id, so the next request's <c>previous_response_id</c> finds it.
    /// </summary>
    public string? ResponseId { get; init; }

    /// <summary>
    /// The response's stop switch: a backend whose upstream takes steers itself registers there
    /// (<see cref="ResponseStop.PassSteersTo"/>) while it streams; null when the caller cannot steer.
    /// </summary>
    public ResponseStop? Stop { get; init; }

    /// <summary>
    /// True when this request is the automatic successor of a steered response (its <c>previous_response_id</c>): an upstream
    /// that took the steer itself is already generating it.
    /// </summary>
    public bool SteerSuccessor { get; init; }
}

/// <summary>One piece of model output. The engine turns these into Responses events.</summary>
public abstract record ModelChunk;

/// <summary>The prompt has been processed (time to first token has passed).</summary>
/// <param name="CachedTokens">Prompt tokens served from the backend's prefix cache.</param>
public sealed record PromptProcessed(int CachedTokens) : ModelChunk;

/// <summary>Reasoning summary text.</summary>
public sealed record ReasoningDelta(string Text) : ModelChunk;

/// <summary>A fragment of the assistant's text answer.</summary>
public sealed record TextDelta(string Text) : ModelChunk;

/// <summary>A function call starts; its arguments follow as <see cref="ToolCallArgumentsDelta"/>.</summary>
public sealed record ToolCallStart(string CallId, string Name) : ModelChunk;

/// <summary>A fragment of the current function call's JSON arguments.</summary>
public sealed record ToolCallArgumentsDelta(string Delta) : ModelChunk;

/// <summary>Generation ended.</summary>
/// <param name="OutputTokens">Tokens generated.</param>
/// <param name="IncompleteReason">Null when complete, else e.g. <c>max_output_tokens</c>.</param>
/// <param name="ReasoningTokens">Tokens spent on reasoning.</param>
/// <param name="InputTokens">Prompt tokens as the backend counted them (an upstream's usage); null: the engine's own count.</param>
/// <param name="CachedTokens">Prompt tokens served from the backend's cache, when only known at the end (upstreams report it in
/// the last chunk); null: the value of <see cref="PromptProcessed"/>.</param>
public sealed record ModelFinished(int OutputTokens, string? IncompleteReason = null, int ReasoningTokens = 0, int? InputTokens = null,
    int? CachedTokens = null) : ModelChunk;

/// <summary>An expected backend failure, returned as a value (after which the stream ends).</summary>
/// <param name="Code">The machine-readable code, e.g. <c>upstream_timeout</c>.</param>
/// <param name="Message">A human-readable message naming the cause.</param>
/// <param name="Status">The HTTP status the failure maps to: an upstream's own 4xx passes through; an unreachable, failing
/// or slow upstream is 502 or 504. <value>500.</value></param>
/// <param name="Type">The OpenAI error type, e.g. <c>invalid_request_error</c> for a passed-through 4xx. <value>server_error.</value></param>
public sealed record ModelFailed(string Code, string Message, int Status = 500, string Type = ErrorTypes.Server) : ModelChunk;

/// <summary>A model backend: the simulated model or an upstream server.</summary>
/// <remarks>
/// Implementations are thread-safe. The stream starts with <see cref="PromptProcessed"/>, then output chunks, and ends
/// with <see cref="ModelFinished"/> or <see cref="ModelFailed"/>. Cancelling the token stops generation at once.
/// </remarks>
public interface IModelBackend
{
    /// <summary>The model names this backend serves (for <c>GET /v1/models</c>).</summary>
    IReadOnlyList<string> Models { get; }

    /// <summary>Streams the model's continuation of the conversation.</summary>
    IAsyncEnumerable<ModelChunk> StreamAsync(ModelRequest request, CancellationToken cancellationToken = default);
}

/// <summary>A backend whose model names come from elsewhere (an upstream's <c>/models</c>), so listing them may take a round trip.</summary>
public interface IModelLister
{
    /// <summary>The model names this backend serves; empty when they cannot be had. Never throws for an unreachable upstream.</summary>
    Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default);
}
