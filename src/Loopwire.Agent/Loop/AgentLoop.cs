using System.Diagnostics;
using Loopwire.Agent.Tools;
using Loopwire.Client.Sessions;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;

namespace Loopwire.Agent.Loop;

/// <summary>
/// The agent loop: call the model, run the tool calls it asked for (in parallel), feed the results back, repeat until it
/// answers without tool calls.
/// </summary>
/// <remarks>
/// Guard rails: an iteration cap (the last allowed turn is offered no tools, so the model must answer), a cap on turns
/// in a row whose tool calls all failed, and a per-call timeout; a tool that fails or hangs becomes an error result the
/// model reads, never an exception. The conversation is handed to the <see cref="ResponseSession"/> whole every turn,
/// with the same item instances, so the session can send only the new items.
/// </remarks>
public sealed class AgentLoop
{
    private readonly ResponseSession _session;
    private readonly IToolRunner _tools;
    private readonly AgentOptions _options;

    /// <summary>Creates the loop.</summary>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">The options are invalid.</exception>
    public AgentLoop(ResponseSession session, IToolRunner tools, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _session = session;
        _tools = tools;
        _options = options;
    }

    /// <summary>Runs a task to its end.</summary>
    /// <param name="task">The user's task (the first user message).</param>
    /// <param name="onTurn">Called after each turn (live display).</param>
    /// <param name="cancellationToken">Cancels the task.</param>
    public async Task<AgentRunResult> RunAsync(string task, Action<AgentTurn>? onTurn = null, CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        var conversation = new List<ResponseItem> { new MessageItem { Role = "user", Content = MessageContent.FromText(task) } };
        var turns = new List<AgentTurn>();
        var withTools = Options(_tools.Definitions);
        var withoutTools = Options(null);
        int failedTurns = 0;
        for (int i = 0; ; i++)
        {
            bool last = i >= _options.MaxIterations - 1;
            var result = await _session.RunTurnAsync(conversation, last ? withoutTools : withTools, cancellationToken).ConfigureAwait(false);
            conversation.AddRange(result.Output);
            var calls = result.Output.OfType<FunctionCallItem>().Select(f => new ToolCall(f.CallId, f.Name, f.Arguments)).ToList();
            if (calls.Count == 0)
            {
                string text = string.Join('\n', result.Output.OfType<MessageItem>().Select(m => m.Content.JoinedText()));
                var final = new AgentTurn(i, result.Response.Id, [], result.Metrics, TimeSpan.Zero, text);
                turns.Add(final);
                onTurn?.Invoke(final);
                return new AgentRunResult(turns, AgentStopReason.Answered, text, Stopwatch.GetElapsedTime(start));
            }

            long toolStart = Stopwatch.GetTimestamp();
            var results = await Task.WhenAll(calls.Select(c => RunToolAsync(c, cancellationToken))).ConfigureAwait(false);
            var turn = new AgentTurn(i, result.Response.Id, calls.Zip(results).ToList(), result.Metrics, Stopwatch.GetElapsedTime(toolStart), null);
            turns.Add(turn);
            onTurn?.Invoke(turn);
            for (int k = 0; k < calls.Count; k++)
            {
                conversation.Add(new FunctionCallOutputItem { CallId = calls[k].CallId, Output = MessageContent.FromText(results[k].Output) });
            }

            failedTurns = results.All(r => r.IsError) ? failedTurns + 1 : 0;
            if (failedTurns >= _options.MaxConsecutiveToolErrors)
            {
                return new AgentRunResult(turns, AgentStopReason.ToolErrors, null, Stopwatch.GetElapsedTime(start));
            }

            if (last)
            {
                return new AgentRunResult(turns, AgentStopReason.IterationCap, null, Stopwatch.GetElapsedTime(start));
            }
        }
    }

    private CreateResponseRequest Options(IReadOnlyList<ToolDefinition>? tools) => new()
    {
        Model = _options.Model,
        Instructions = System.Text.Json.JsonSerializer.SerializeToElement(_options.Instructions, Protocol.Serialization.ProtocolJsonContext.Default.String),
        Tools = tools,
        ParallelToolCalls = tools is null ? null : true,
        Store = _options.Store,
    };

    private async Task<ToolResult> RunToolAsync(ToolCall call, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.ToolTimeout);
        try
        {
            return await _tools.RunAsync(call, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return ToolResult.Error($"{call.Name} timed out after {_options.ToolTimeout.TotalSeconds:0.#} s and was abandoned.");
        }
    }
}
