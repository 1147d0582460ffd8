using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Loopwire.Engine.Backends;
using Loopwire.Protocol.Items;
using Loopwire.Scenarios;

namespace Loopwire.Simulation.Scenarios;

/// <summary>
/// The agent scenarios' oracle: a simulated model that knows each sample's solution and plays the tool calls a
/// competent model would, reacting to what the (real) tools return.
/// </summary>
/// <remarks>
/// <para>This is an oracle, not a model: it recognises a scenario by <c>scenario: NAME</c> in the first user message
/// (or the instructions) and follows that sample's script. It is a deterministic function of the conversation.</para>
/// <para>How it reacts: a tool call that failed (<c>error: …</c>) is retried, up to <see cref="MaxRetries"/> times per
/// step, then it gives up with an honest final answer; a <c>run_tests</c> result decides the next step (tests passing
/// earlier than the script expects ends the task; tests failing when they should pass ends it with a report of the
/// failure). A conversation that leaves the script (other calls than scripted) is not the oracle's: it returns null
/// and the generic behaviour answers.</para>
/// </remarks>
public sealed partial class ScenarioOracle(IReadOnlyList<Scenario> scripts) : ISimulatedPolicy
{
    /// <summary>Retries of one step's failed calls before giving up.</summary>
    public const int MaxRetries = 5;

    /// <summary>An oracle over the samples' embedded scripts.</summary>
    public ScenarioOracle()
        : this(EmbeddedScenarios.All)
    {
    }

    /// <inheritdoc />
    public SimulatedPlan? Plan(ModelRequest request, ulong seed)
    {
        var items = request.Conversation.Items;
        int first = FirstUserMessage(items);
        if (first < 0)
        {
            return null;
        }

        string firstText = ((MessageItem)items[first]).Content.JoinedText();
        var script = Recognise(firstText) ?? Recognise(request.Conversation.Instructions);
        if (script is null)
        {
            return null;
        }

        var state = Replay(script, items, first + 1);
        if (state is null)
        {
            return null;
        }

        if (GenericPolicy.FunctionTools(request.Request).Count == 0)
        {
            // No tools offered (the agent's last allowed turn): answer with where things stand.
            return new SimulatedPlan("No tools are available any more, so I'll report where things stand.",
                $"I stopped before finishing: {state.Value.Step} of {script.Steps.Count - 1} steps done.", []);
        }

        return state.Value.Next(script);
    }

    private Scenario? Recognise(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var m = ScenarioTag().Match(text);
        return m.Success ? scripts.FirstOrDefault(s => s.Name.Equals(m.Groups[1].Value, StringComparison.OrdinalIgnoreCase)) : null;
    }

    private static int FirstUserMessage(IReadOnlyList<ResponseItem> items)
    {
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is MessageItem { Role: "user" })
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Walks the conversation's tool turns against the script.</summary>
    private static Progress? Replay(Scenario script, IReadOnlyList<ResponseItem> items, int start)
    {
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = start; i < items.Count; i++)
        {
            if (items[i] is FunctionCallOutputItem o)
            {
                outputs[o.CallId] = o.Output.JoinedText();
            }
        }

        var p = new Progress(0, [], 0, null);
        int k = start;
        while (k < items.Count)
        {
            // A turn: consecutive function calls (reasoning and text in between are the model's own output).
            var calls = new List<FunctionCallItem>();
            while (k < items.Count && items[k] is not FunctionCallOutputItem)
            {
                if (items[k] is FunctionCallItem f)
                {
                    calls.Add(f);
                }
                else if (items[k] is MessageItem { Role: "user" } && calls.Count > 0)
                {
                    break;
                }

                k++;
            }

            while (k < items.Count && items[k] is FunctionCallOutputItem)
            {
                k++;
            }

            if (calls.Count == 0)
            {
                continue;
            }

            if (p.Step >= script.Steps.Count || script.Steps[p.Step].Calls is not { } expected)
            {
                return null;
            }

            var wanted = p.Outstanding.Count > 0 ? p.Outstanding : Enumerable.Range(0, expected.Count).ToList();
            if (calls.Count != wanted.Count)
            {
                return null;
            }

            var failed = new List<int>();
            string? testOutput = null;
            for (int c = 0; c < calls.Count; c++)
            {
                var want = expected[wanted[c]];
                if (calls[c].Name != want.Name || !SameArguments(calls[c].Arguments, want.Arguments))
                {
                    return null;
                }

                if (!outputs.TryGetValue(calls[c].CallId, out var output))
                {
                    return p with { Outstanding = [.. wanted], Waiting = true };
                }

                if (output.StartsWith("error:", StringComparison.Ordinal))
                {
                    failed.Add(wanted[c]);
                    p = p with { LastError = output };
                }
                else if (want.Name == Scenario.RunTestsToolName)
                {
                    testOutput = output;
                }
            }

            if (failed.Count > 0)
            {
                p = p with { Outstanding = failed, Retries = p.Retries + 1 };
                continue;
            }

            var step = script.Steps[p.Step];
            p = new Progress(p.Step + 1, [], 0, null);
            if (step.ExpectTests is { } expect && testOutput is not null)
            {
                bool passing = TestsPass(testOutput);
                if (expect == TestExpectation.Fail && passing)
                {
                    p = p with { EndedEarly = "The tests already pass; nothing needed fixing beyond what was done." };
                }
                else if (expect == TestExpectation.Pass && !passing)
                {
                    p = p with { EndedEarly = "I could not make the tests pass. The last run still reports failures:\n" + FirstLine(testOutput) };
                }
            }
        }

        return p;
    }

    private static bool TestsPass(string output)
    {
        var m = TestCounts().Match(output);
        return m.Success && int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) == 0
            && int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static string FirstLine(string s)
    {
        int i = s.IndexOf('\n', StringComparison.Ordinal);
        return i < 0 ? s : s[..i];
    }

    private static bool SameArguments(string actual, JsonElement expected)
    {
        try
        {
            using var doc = JsonDocument.Parse(actual);
            return JsonElement.DeepEquals(doc.RootElement, expected.ValueKind == JsonValueKind.Undefined ? EmptyObject : expected);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    [GeneratedRegex(@"scenario:\s*([A-Za-z0-9_-]+)", RegexOptions.IgnoreCase)]
    private static partial Regex ScenarioTag();

    [GeneratedRegex(@"passed:\s*(\d+),\s*failed:\s*(\d+)")]
    private static partial Regex TestCounts();

    /// <summary>Where the conversation stands in the script.</summary>
    private readonly record struct Progress(int Step, List<int> Outstanding, int Retries, string? LastError)
    {
        public string? EndedEarly { get; init; }

        public bool Waiting { get; init; }

        public SimulatedPlan Next(Scenario script)
        {
            if (EndedEarly is not null)
            {
                return new SimulatedPlan("The test run decides: I'll stop here and report.", EndedEarly, []);
            }

            if (Retries > MaxRetries)
            {
                return new SimulatedPlan("The same tool keeps failing, so I'll stop and report.",
                    $"I could not finish: a tool call failed {Retries} times in a row (last error: {LastError}).", []);
            }

            if (Step >= script.Steps.Count)
            {
                return new SimulatedPlan(null, "The task is complete.", []);
            }

            var step = script.Steps[Step];
            if (step.Final is not null || step.Calls is null)
            {
                return new SimulatedPlan(step.Reasoning ?? "The tests pass now; summarising.", step.Final ?? "Done.", []);
            }

            var indexes = Outstanding.Count > 0 ? Outstanding : Enumerable.Range(0, step.Calls.Count).ToList();
            var calls = indexes.Select(i => new SimulatedCall(step.Calls[i].Name, Canonical(step.Calls[i].Arguments))).ToList();
            string reasoning = Outstanding.Count > 0 && !Waiting
                ? $"That call failed ({Shorten(LastError)}); I'll retry it."
                : step.Reasoning ?? "Next step.";
            return new SimulatedPlan(reasoning, null, calls);
        }

        private static string Shorten(string? s) => s is null ? "no detail" : s.Length > 120 ? s[..120] + "…" : s;

        private static string Canonical(JsonElement args)
        {
            if (args.ValueKind == JsonValueKind.Undefined)
            {
                return "{}";
            }

            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                args.WriteTo(w);
            }

            return Encoding.UTF8.GetString(ms.ToArray());
        }
    }
}
