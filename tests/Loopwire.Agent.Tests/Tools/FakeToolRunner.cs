using System.Collections.Concurrent;
using Loopwire.Agent.Tools;
using Loopwire.Protocol.Requests;

namespace Loopwire.Agent.Tests.Tools;

/// <summary>A hand-written fake: answers "name args #n" and remembers the calls it ran.</summary>
internal sealed class FakeToolRunner : IToolRunner
{
    private int _count;

    public ConcurrentQueue<ToolCall> Calls { get; } = new();

    public IReadOnlyList<ToolDefinition> Definitions => CodingTools.Definitions;

    public Task<ToolResult> RunAsync(ToolCall call, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue(call);
        int n = Interlocked.Increment(ref _count);
        return Task.FromResult(call.Name == "broken"
            ? ToolResult.Error("broken tool")
            : ToolResult.Ok($"{call.Name} {call.ArgumentsJson} #{n}"));
    }
}
