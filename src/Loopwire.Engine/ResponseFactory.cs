using System.Text.Json;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;

namespace Loopwire.Engine;

/// <summary>Builds every response object the server sends or stores: pending (<c>queued</c>, <c>in_progress</c>) and terminal.</summary>
/// <remarks>
/// The request's parameters are echoed with OpenAI's defaults; terminal objects get <c>completed_at</c> from the
/// <see cref="TimeProvider"/>. Stateless and thread-safe.
/// </remarks>
internal sealed class ResponseFactory(TimeProvider time)
{
    private static readonly JsonElement AutoChoice = JsonDocument.Parse("\"auto\"").RootElement.Clone();
    private static readonly JsonElement DefaultText = JsonDocument.Parse("""{"format":{"type":"text"},"verbosity":"medium"}""").RootElement.Clone();

    /// <summary>The object of a response with no output yet: <c>queued</c> or <c>in_progress</c>.</summary>
    public ResponseObject Pending(PreparedResponse p, string status) => Build(p, status, [], null, null, null);

    /// <summary>A <c>completed</c> object, or <c>incomplete</c> when <paramref name="incompleteReason"/> is set.</summary>
    public ResponseObject Finished(PreparedResponse p, IReadOnlyList<ResponseItem> output, Usage usage, string? incompleteReason = null) =>
        incompleteReason is null
            ? Build(p, ResponseStatus.Completed, output, usage, null, null)
            : Build(p, ResponseStatus.Incomplete, output, usage, null, new IncompleteDetails(incompleteReason));

    /// <summary>A <c>failed</c> object carrying <paramref name="error"/>'s code and message, with the output produced so far.</summary>
    public ResponseObject Failed(PreparedResponse p, ProtocolError error, IReadOnlyList<ResponseItem> output) =>
        Build(p, ResponseStatus.Failed, output, null, new ResponseError(error.Code ?? ErrorCodes.ServerError, error.Message), null);

    /// <summary>A <c>cancelled</c> object with the output finished before the cancellation.</summary>
    public ResponseObject Cancelled(PreparedResponse p, IReadOnlyList<ResponseItem> output) =>
        Build(p, ResponseStatus.Cancelled, output, null, null, null);

    /// <summary>A stored object marked <c>cancelled</c> now (a background response whose run is gone).</summary>
    public ResponseObject Cancelled(ResponseObject stored) =>
        stored with { Status = ResponseStatus.Cancelled, CompletedAt = time.GetUtcNow().ToUnixTimeSeconds() };

    /// <summary>A stored object marked <c>failed</c> now with <paramref name="error"/> (a background response whose node died).</summary>
    public ResponseObject Failed(ResponseObject stored, ProtocolError error) =>
        stored with
        {
            Status = ResponseStatus.Failed,
            CompletedAt = time.GetUtcNow().ToUnixTimeSeconds(),
            Error = new ResponseError(error.Code ?? ErrorCodes.ServerError, error.Message),
        };

    private ResponseObject Build(PreparedResponse p, string status, IReadOnlyList<ResponseItem> output, Usage? usage,
        ResponseError? error, IncompleteDetails? incomplete)
    {
        var r = p.Request;
        return new ResponseObject
        {
            Id = p.Id,
            CreatedAt = p.CreatedAt,
            CompletedAt = ResponseStatus.IsTerminal(status) ? time.GetUtcNow().ToUnixTimeSeconds() : null,
            Status = status,
            Background = r.Background ?? false,
            Model = r.Model!,
            Instructions = r.Instructions,
            Output = output,
            Usage = usage,
            PreviousResponseId = r.PreviousResponseId,
            Conversation = p.Conversation?.Reference,
            Store = r.StoreOrDefault,
            Tools = r.Tools ?? [],
            ToolChoice = r.ToolChoice ?? AutoChoice,
            ParallelToolCalls = r.ParallelToolCalls ?? true,
            Metadata = r.Metadata ?? [],
            Error = error,
            IncompleteDetails = incomplete,
            Text = r.Text ?? DefaultText,
            Truncation = r.Truncation ?? "disabled",
            MaxOutputTokens = r.MaxOutputTokens,
            MaxToolCalls = r.MaxToolCalls,
            Temperature = r.Temperature ?? 1.0,
            TopP = r.TopP ?? 1.0,
            TopLogprobs = r.TopLogprobs ?? 0,
            Reasoning = r.Reasoning ?? new ReasoningOptions(),
            PromptCacheKey = r.PromptCacheKey,
            PromptCacheRetention = r.PromptCacheRetention,
            ServiceTier = r.ServiceTier ?? "default",
            SafetyIdentifier = r.SafetyIdentifier,
            User = r.User,
        };
    }
}
