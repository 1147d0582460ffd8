using System.Text;

namespace Loopwire.Engine.Backends.ChatCompletions;

/// <summary>
/// Turns streamed <c>chat.completion.chunk</c>s into model chunks. One instance per response; not thread-safe.
/// </summary>
/// <remarks>
/// What servers send and how it is read:
/// <list type="bullet">
/// <item>a role-only first chunk (all of them) and empty deltas: nothing but the first-token mark;</item>
/// <item>tool calls by <c>index</c>: the first fragment has the id and name, arguments follow in fragments (llama.cpp,
/// vLLM), or everything comes in one fragment (Ollama, whose older versions leave <c>index</c> out); a new index means the
/// previous call is complete. A fragment for a call that is already closed cannot be placed and fails the response;</item>
/// <item><c>finish_reason</c> on a chunk with an empty delta; usage in the last chunk, often with empty <c>choices</c>;</item>
/// <item>reasoning as <c>reasoning_content</c> (llama.cpp, vLLM) or <c>reasoning</c> (Ollama);</item>
/// <item>a mid-stream error as <c>{"error":{...}}</c> or vLLM's flat <c>{"object":"error","message":..}</c>.</item>
/// </list>
/// </remarks>
internal sealed class ChatStreamTranslator(string backend)
{
    private readonly List<Call> _calls = [];
    private Call? _active;
    private bool _started;
    private int _deltas;
    private string? _finishReason;
    private ChatUsage? _usage;

    /// <summary>Set when the stream reported an error or broke the protocol; the response ends with it.</summary>
    public ModelFailed? Failure { get; private set; }

    public IEnumerable<ModelChunk> Add(ChatCompletionChunk chunk)
    {
        var output = new List<ModelChunk>(2);
        if (!_started)
        {
            _started = true;
            output.Add(new PromptProcessed(0));
        }

        if (chunk.Error is { ValueKind: not System.Text.Json.JsonValueKind.Null } || chunk.Object == "error")
        {
            var (message, type, code) = chunk.Error is { } e ? UpstreamFailures.ReadError(e) : (chunk.Message, null, null);
            Failure = UpstreamFailures.InStream(backend, code, type, message ?? "an error with no message", null);
            return output;
        }

        if (chunk.Usage is not null)
        {
            _usage = chunk.Usage;
        }

        // n > 1 is not asked for; only the first choice is read.
        var choice = chunk.Choices?.FirstOrDefault(c => c.Index == 0);
        if (choice is null)
        {
            return output;
        }

        if (choice.Delta is { } delta)
        {
            // Without reported usage, output tokens are estimated as one per chunk that carried output (how servers stream).
            if (delta.Content is { Length: > 0 } || (delta.ReasoningContent ?? delta.Reasoning) is { Length: > 0 } || delta.ToolCalls is { Count: > 0 })
            {
                _deltas++;
            }

            if ((delta.ReasoningContent ?? delta.Reasoning) is { Length: > 0 } reasoning)
            {
                CloseActive();
                output.Add(new ReasoningDelta(reasoning));
            }

            if (delta.Content is { Length: > 0 } text)
            {
                CloseActive();
                output.Add(new TextDelta(text));
            }

            foreach (var fragment in delta.ToolCalls ?? [])
            {
                OnToolCall(fragment, output);
                if (Failure is not null)
                {
                    return output;
                }
            }
        }

        if (choice.FinishReason is { Length: > 0 } finish)
        {
            _finishReason = finish;
        }

        return output;
    }

    /// <summary>Ends the response once the stream has ended (<paramref name="sawDone"/>: it ended with <c>[DONE]</c>).</summary>
    public IEnumerable<ModelChunk> Complete(bool sawDone)
    {
        var output = new List<ModelChunk>();
        if (Failure is not null)
        {
            return output;
        }

        foreach (var call in _calls.Where(c => !c.Started).OrderBy(c => c.Index))
        {
            if (call.Name is null)
            {
                Failure = UpstreamFailures.Protocol(backend, $"tool call {call.Index} has no function name.");
                return output;
            }

            Start(call, output);
        }

        if (_finishReason is null && !sawDone)
        {
            Failure = UpstreamFailures.Broken(backend, "the stream ended before a finish_reason or [DONE].");
            return output;
        }

        if (!_started)
        {
            output.Add(new PromptProcessed(0));
        }

        string? incomplete = _finishReason switch
        {
            "length" => "max_output_tokens",
            "content_filter" => "content_filter",
            _ => null,
        };
        output.Add(new ModelFinished(
            _usage?.CompletionTokens ?? _deltas,
            incomplete,
            _usage?.CompletionTokensDetails?.ReasoningTokens ?? 0,
            _usage is { PromptTokens: > 0 } u ? u.PromptTokens : null,
            _usage?.PromptTokensDetails?.CachedTokens));
        return output;
    }

    private void OnToolCall(ChatToolCall fragment, List<ModelChunk> output)
    {
        string? id = string.IsNullOrEmpty(fragment.Id) ? null : fragment.Id;
        int index = fragment.Index
            ?? (id is not null ? _calls.Find(c => c.Id == id)?.Index ?? (_calls.Count == 0 ? 0 : _calls.Max(c => c.Index) + 1)
                : _active?.Index ?? (_calls.Count == 0 ? 0 : _calls[^1].Index));
        var call = _calls.Find(c => c.Index == index);
        if (call is null)
        {
            call = new Call(index);
            _calls.Add(call);
        }

        call.Id ??= id;
        if (!string.IsNullOrEmpty(fragment.Function?.Name))
        {
            call.Name ??= fragment.Function.Name;
        }

        string? args = fragment.Function?.Arguments;
        if (call.Closed)
        {
            if (!string.IsNullOrEmpty(args))
            {
                Failure = UpstreamFailures.Protocol(backend, $"arguments for tool call {index} came after the call had ended.");
            }

            return;
        }

        call.Arguments.Append(args);
        if (_active is not null && _active != call)
        {
            // Calls stream one after another: a fragment of another call ends the active one.
            CloseActive();
        }

        if (_active is null && !call.Started && call.Name is not null)
        {
            Start(call, output);
        }
        else if (call == _active && call.Arguments.Length > call.Emitted)
        {
            Emit(call, output);
        }
    }

    private void Start(Call call, List<ModelChunk> output)
    {
        call.Started = true;
        _active = call;
        output.Add(new ToolCallStart(call.Id ?? Ids.NewItemId("call"), call.Name!));
        if (call.Arguments.Length > 0)
        {
            Emit(call, output);
        }
    }

    private static void Emit(Call call, List<ModelChunk> output)
    {
        output.Add(new ToolCallArgumentsDelta(call.Arguments.ToString(call.Emitted, call.Arguments.Length - call.Emitted)));
        call.Emitted = call.Arguments.Length;
    }

    private void CloseActive()
    {
        if (_active is not null)
        {
            _active.Closed = true;
            _active = null;
        }
    }

    private sealed class Call(int index)
    {
        public int Index { get; } = index;

        public string? Id { get; set; }

        public string? Name { get; set; }

        public StringBuilder Arguments { get; } = new();

        public int Emitted { get; set; }

        public bool Started { get; set; }

        public bool Closed { get; set; }
    }
}
