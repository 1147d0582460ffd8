using System.Text.Json;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Errors;

namespace Loopwire.Engine.Backends.Responses;

/// <summary>Builds the request a Responses upstream gets.</summary>
/// <remarks>
/// The upstream keeps nothing of ours (<c>store: false</c>). Item ids are left out: they are this server's ids, and an
/// upstream that has not stored them (store:false) refuses ids it does not know. Reasoning items go back only when they
/// carry the upstream's own <c>encrypted_content</c> (the simulated model's <c>sim:</c> content means nothing upstream), so
/// a <c>store:false</c> client keeps reasoning continuity; <c>include</c> passes through so the upstream sends it.
/// Custom tool calls and their outputs pass through unchanged.
/// </remarks>
internal static class ResponsesUpstreamRequest
{
    public static byte[] Build(ModelRequest request, IEnumerable<ResponseItem> input, string? previousResponseId, bool webSocket)
    {
        var upstream = request.Request with
        {
            Type = webSocket ? "response.create" : null,
            Model = request.Model,
            Input = input.Where(i => i is not ReasoningItem r || IsUpstreamReasoning(r)).Select(Compaction.CompactionForUpstream.Item)
                .Select(i => i.Id is null ? i : i with { Id = null }).ToList(),
            PreviousResponseId = previousResponseId,
            Store = false,
            Stream = webSocket ? null : true,
            Background = null,
            Generate = null,
            // The downstream lane is Loopwire's business: an upstream socket carries one conversation at a time (and is reused
            // by others), and an HTTP upstream knows no stream_id.
            StreamId = null,
            ClientMetadata = null,
            Conversation = null,
            Include = request.Request.Include,
            Metadata = null,
            ContextManagement = null,
        };
        return JsonSerializer.SerializeToUtf8Bytes(upstream, ProtocolJsonContext.Wire.CreateResponseRequest);
    }

    private static bool IsUpstreamReasoning(ReasoningItem r) =>
        r.EncryptedContent is { Length: > 0 } e && !e.StartsWith("sim:", StringComparison.Ordinal);
}

/// <summary>
/// Turns a Responses upstream's events (SSE <c>data:</c> or WebSocket frames, the same JSON) into model chunks.
/// One instance per attempt; not thread-safe. Unknown event types are ignored.
/// </summary>
internal sealed class ResponsesStreamTranslator(string backend)
{
    private readonly HashSet<string> _calls = new(StringComparer.Ordinal);
    private bool _started;
    private bool _argumentsStreamed;

    /// <summary>The upstream's id of the response, once <c>response.created</c> came.</summary>
    public string? UpstreamResponseId { get; private set; }

    /// <summary>True once a terminal event (completed, incomplete) came.</summary>
    public bool Finished { get; private set; }

    /// <summary>Set when the upstream failed the response or sent an error.</summary>
    public ModelFailed? Failure { get; private set; }

    /// <summary>
    /// The error code when the upstream lost our chain before any output (<c>previous_response_not_found</c>,
    /// <c>websocket_connection_limit_reached</c>): the caller replays the full context.
    /// </summary>
    public string? ReplayCode { get; private set; }

    /// <summary>Whether any output came (after which nothing may be retried).</summary>
    public bool HasOutput => _started;

    public IEnumerable<ModelChunk> Add(JsonElement e)
    {
        var output = new List<ModelChunk>(2);
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            Failure = UpstreamFailures.Protocol(backend, "an event without a type.");
            return output;
        }

        switch (typeElement.GetString())
        {
            case "response.created" or "response.in_progress" or "response.queued":
                if (e.TryGetProperty("response", out var created) && Str(created, "id") is { } id)
                {
                    UpstreamResponseId = id;
                }

                break;
            case "response.output_item.added" when e.TryGetProperty("item", out var addedCustom) && Str(addedCustom, "type") == "custom_tool_call":
            {
                Start(output);
                string callId = Str(addedCustom, "call_id") ?? Ids.NewItemId("call");
                _calls.Add(callId);
                _argumentsStreamed = false;
                output.Add(new CustomToolCallStart(callId, Str(addedCustom, "name") ?? string.Empty));
                break;
            }

            case "response.custom_tool_call_input.delta":
                if (Str(e, "delta") is { Length: > 0 } customInput)
                {
                    Start(output);
                    _argumentsStreamed = true;
                    output.Add(new CustomToolCallInputDelta(customInput));
                }

                break;
            case "response.output_item.done" when e.TryGetProperty("item", out var doneOther) && Str(doneOther, "type") is "custom_tool_call" or "reasoning":
                OnItemDone(doneOther, output);
                break;
            case "response.refusal.delta":
                if (Str(e, "delta") is { Length: > 0 } refusal)
                {
                    Start(output);
                    output.Add(new RefusalDelta(refusal));
                }

                break;
            case "response.reasoning_text.delta":
                if (Str(e, "delta") is { Length: > 0 } reasoningText)
                {
                    Start(output);
                    output.Add(new ReasoningTextDelta(reasoningText));
                }

                break;
            case "response.output_item.added":
                if (e.TryGetProperty("item", out var added) && Str(added, "type") == "function_call")
                {
                    Start(output);
                    string callId = Str(added, "call_id") ?? Ids.NewItemId("call");
                    _calls.Add(callId);
                    _argumentsStreamed = false;
                    output.Add(new ToolCallStart(callId, Str(added, "name") ?? string.Empty));
                }

                break;
            case "response.output_text.delta":
                if (Str(e, "delta") is { Length: > 0 } text)
                {
                    Start(output);
                    output.Add(new TextDelta(text));
                }

                break;
            case "response.reasoning_summary_text.delta":
                if (Str(e, "delta") is { Length: > 0 } reasoning)
                {
                    Start(output);
                    output.Add(new ReasoningDelta(reasoning));
                }

                break;
            case "response.function_call_arguments.delta":
                if (Str(e, "delta") is { Length: > 0 } args)
                {
                    Start(output);
                    _argumentsStreamed = true;
                    output.Add(new ToolCallArgumentsDelta(args));
                }

                break;
            case "response.output_item.done":
                if (e.TryGetProperty("item", out var done) && Str(done, "type") == "function_call")
                {
                    // Some servers send a call only whole, in output_item.done.
                    string callId = Str(done, "call_id") ?? Ids.NewItemId("call");
                    string arguments = Str(done, "arguments") ?? string.Empty;
                    if (_calls.Add(callId))
                    {
                        Start(output);
                        output.Add(new ToolCallStart(callId, Str(done, "name") ?? string.Empty));
                        _argumentsStreamed = false;
                    }

                    if (!_argumentsStreamed && arguments.Length > 0)
                    {
                        output.Add(new ToolCallArgumentsDelta(arguments));
                    }

                    _argumentsStreamed = true;
                }

                break;
            case "response.completed" or "response.incomplete":
                Start(output);
                output.Add(Finish(e));
                Finished = true;
                break;
            case "response.failed":
            {
                string? message = null, code = null;
                if (e.TryGetProperty("response", out var failed) && failed.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.Object)
                {
                    message = Str(err, "message");
                    code = Str(err, "code");
                }

                Failure = UpstreamFailures.InStream(backend, code, null, message ?? "the response failed.", null);
                break;
            }

            case "error":
                OnError(e);
                break;
        }

        return output;
    }

    /// <summary>A custom tool call sent whole (no input deltas), or a reasoning item's encrypted content.</summary>
    private void OnItemDone(JsonElement item, List<ModelChunk> output)
    {
        if (Str(item, "type") == "reasoning")
        {
            if (Str(item, "encrypted_content") is { Length: > 0 } encrypted)
            {
                Start(output);
                output.Add(new ReasoningEncryptedContent(encrypted));
            }

            return;
        }

        string callId = Str(item, "call_id") ?? Ids.NewItemId("call");
        string input = Str(item, "input") ?? string.Empty;
        if (_calls.Add(callId))
        {
            Start(output);
            output.Add(new CustomToolCallStart(callId, Str(item, "name") ?? string.Empty));
            _argumentsStreamed = false;
        }

        if (!_argumentsStreamed && input.Length > 0)
        {
            output.Add(new CustomToolCallInputDelta(input));
        }

        _argumentsStreamed = true;
    }

    private void OnError(JsonElement e)
    {
        // SSE's flat {type,code,message,param} or the WebSocket envelope {type,status,error:{type,code,message,param}}.
        var inner = e.TryGetProperty("error", out var nested) && nested.ValueKind == JsonValueKind.Object ? nested : e;
        string? code = Str(inner, "code");
        int? status = e.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt32() : null;
        if (!_started && code is ErrorCodes.PreviousResponseNotFound or ErrorCodes.WebSocketConnectionLimitReached)
        {
            ReplayCode = code;
            return;
        }

        Failure = UpstreamFailures.InStream(backend, code, Str(inner, "type"), Str(inner, "message") ?? "an error with no message", status);
    }

    private static ModelFinished Finish(JsonElement e)
    {
        int output = 0, reasoning = 0;
        int? input = null, cached = null;
        string? incomplete = null;
        if (e.TryGetProperty("response", out var r) && r.ValueKind == JsonValueKind.Object)
        {
            if (r.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
            {
                output = Int(u, "output_tokens") ?? 0;
                input = Int(u, "input_tokens");
                if (u.TryGetProperty("input_tokens_details", out var id) && id.ValueKind == JsonValueKind.Object)
                {
                    cached = Int(id, "cached_tokens");
                }

                if (u.TryGetProperty("output_tokens_details", out var od) && od.ValueKind == JsonValueKind.Object)
                {
                    reasoning = Int(od, "reasoning_tokens") ?? 0;
                }
            }

            if (Str(r, "status") == ResponseStatus.Incomplete)
            {
                incomplete = r.TryGetProperty("incomplete_details", out var d) && d.ValueKind == JsonValueKind.Object
                    ? Str(d, "reason") ?? "max_output_tokens"
                    : "max_output_tokens";
            }
        }

        return new ModelFinished(output, incomplete, reasoning, input is > 0 ? input : null, cached);
    }

    private void Start(List<ModelChunk> output)
    {
        if (!_started)
        {
            _started = true;
            output.Add(new PromptProcessed(0));
        }
    }

    private static string? Str(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Int(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) ? n : null;
}
