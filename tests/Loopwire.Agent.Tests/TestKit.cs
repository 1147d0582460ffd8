using System.Text.Json;
using Loopwire.Agent.Scenarios;
using Loopwire.Agent.Tools;
using Loopwire.Scenarios;
using Loopwire.Agent.Workspaces;

namespace Loopwire.Agent.Tests;

/// <summary>Helpers shared by the tests: scratch repositories, tool calls, and playing scenarios.</summary>
internal static class TestKit
{
    private static int s_callId;

    /// <summary>A scratch source repository in a temp folder, deleted on dispose.</summary>
    public sealed class ScratchRepo : IDisposable
    {
        public ScratchRepo() => Root = Directory.CreateTempSubdirectory("loopwire-test-src-").FullName;

        public string Root { get; }

        public ScratchRepo With(string relativePath, string content)
        {
            var full = Path.Combine(Root, relativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
            return this;
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    public static ToolCall Call(string name, object? arguments = null) =>
        new($"call_{Interlocked.Increment(ref s_callId)}", name, arguments is null ? "{}" : JsonSerializer.Serialize(arguments, arguments.GetType(), JsonOptions));

    public static WorkspaceToolRunner Runner(Workspace workspace, string[]? testCommand = null, TimeSpan? timeout = null, WorkspaceToolOptions? options = null,
        TimeProvider? time = null) =>
        new(workspace, testCommand ?? ["python3", "-m", "unittest", "discover", "-s", "tests", "-t", "."], timeout ?? TimeSpan.FromSeconds(60), options, time);

    /// <summary>Plays a scenario's steps through a runner; the calls of a step run in parallel, like the agent's.</summary>
    public static async Task<List<(ScenarioStep Step, ScenarioCall Call, ToolResult Result)>> PlayAsync(Scenario scenario, IToolRunner runner)
    {
        var results = new List<(ScenarioStep, ScenarioCall, ToolResult)>();
        int step = 0;
        foreach (var s in scenario.Steps)
        {
            step++;
            if (s.Calls is null)
            {
                continue;
            }

            var tasks = s.Calls.Select((c, i) => runner.RunAsync(c.ToToolCall($"call_{step}_{i}"))).ToList();
            var done = await Task.WhenAll(tasks);
            for (int i = 0; i < done.Length; i++)
            {
                results.Add((s, s.Calls[i], done[i]));
            }
        }

        return results;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
