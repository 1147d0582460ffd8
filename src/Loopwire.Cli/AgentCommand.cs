using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Loopwire.Agent.Loop;
using Loopwire.Agent.Scenarios;
using Loopwire.Agent.Tools;
using Loopwire.Bench.Matrix;
using Loopwire.Client;
using Loopwire.Client.Sessions;
using Loopwire.Server.Hosting;

namespace Loopwire.Cli;

/// <summary><c>loopwire agent</c>: run the toy coding agent on a sample.</summary>
internal static partial class AgentCommand
{
    public static Command Create()
    {
        var scenario = new Option<string>("--scenario") { Description = "The sample to work on: fix-small, fix-multi, long-haul.", Required = true };
        var transport = new Option<string>("--transport") { Description = "ws, ws-full, grpc, http-chained, http-polling or http-stateless.", DefaultValueFactory = _ => "ws" };
        var baseUrl = UrlOption.Create("--base-url", "A Responses server (e.g. https://api.openai.com/v1's root). Without it, an embedded Loopwire server with the simulated model is started.");
        var apiKey = new Option<string?>("--api-key") { Description = "Bearer key for --base-url (default: env OPENAI_API_KEY)." };
        var model = new Option<string>("--model") { Description = "Model name.", DefaultValueFactory = _ => "sim-spark" };
        var tools = new Option<string>("--tools") { Description = "real (tools run on a copy of the sample) or mock (recorded results).", DefaultValueFactory = _ => "real" };
        var failureRate = new Option<double>("--tool-failure-rate") { Description = "Fraction of tool calls that fail (injected), 0..1.", DefaultValueFactory = _ => 0 };
        var maxTurns = new Option<int>("--max-turns") { Description = "Iteration cap (model calls).", DefaultValueFactory = _ => 200 };
        var record = new Option<string?>("--record") { Description = "With --tools real: save what the tools returned as a recording (the mock tools' input), e.g. samples/NAME/.loopwire/recording.json." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object as the last line of stdout (turn lines go to stderr)." };
        var storeResponses = new Option<bool>("--store-responses")
        {
            Description = "Send store: true on every request (http-chained always does), so every response can be retrieved and continued on any node sharing the store.",
        };
        var cmd = new Command("agent", "Run the toy coding agent on a sample repository, over one transport.")
        {
            scenario, transport, baseUrl, apiKey, model, tools, failureRate, maxTurns, record, json, storeResponses,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            bool asJson = parse.GetValue(json);
            var log = asJson ? Console.Error : Console.Out;
            string name = parse.GetValue(scenario)!;
            string arm = parse.GetValue(transport)!;
            string toolMode = parse.GetValue(tools)!;
            double rate = parse.GetValue(failureRate);
            string? recordPath = parse.GetValue(record);
            if (!BenchArms.All.Contains(arm) || toolMode is not ("real" or "mock") || rate is < 0 or > 1 || (recordPath is not null && (toolMode != "real" || rate > 0)))
            {
                await Console.Error.WriteLineAsync($"loopwire agent: --transport must be one of {string.Join(", ", BenchArms.All)}; --tools real|mock; " +
                    "--tool-failure-rate 0..1; --record needs --tools real and no injected failures.");
                return 2;
            }

            Sample sample;
            try
            {
                sample = SampleLocator.GetSample(name);
            }
            catch (Exception ex) when (ex is ArgumentException or DirectoryNotFoundException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync($"loopwire agent: {ex.Message}");
                return 2;
            }

            var script = sample.LoadScenario();
            Loopwire.Agent.Workspaces.Workspace? workspace = null;
            LoopbackServer? server = null;
            RecordingToolRunner? recorder = null;
            try
            {
                IToolRunner runner;
                if (toolMode == "real")
                {
                    workspace = sample.CreateWorkspace();
                    runner = new WorkspaceToolRunner(workspace, script);
                    if (recordPath is not null)
                    {
                        runner = recorder = new RecordingToolRunner(runner);
                    }

                    await log.WriteLineAsync($"workspace: {workspace.Root}");
                }
                else
                {
                    runner = new RecordedToolRunner(sample.LoadRecording(), LatencyModel.Default, seed: 1);
                }

                if (rate > 0)
                {
                    runner = new FaultInjectingToolRunner(runner, new FaultInjectionOptions { FailureRate = rate, Seed = 7 });
                }

                Uri endpoint;
                string? key = parse.GetValue(apiKey);
                if (parse.GetValue(baseUrl) is { } url)
                {
                    endpoint = url;
                    key ??= Environment.GetEnvironmentVariable("OPENAI_API_KEY");
                }
                else
                {
                    server = await LoopbackServer.StartAsync(cancellationToken: ct);
                    endpoint = server.BaseUrl;
                    await log.WriteLineAsync($"embedded Loopwire server on {endpoint} (simulated model {parse.GetValue(model)}; it plays the sample's script as an oracle)");
                }

                await using var session = new ResponseSession(new ResponseSessionOptions
                {
                    Endpoint = endpoint,
                    ApiKey = key,
                    Transport = BenchArms.Transport(arm),
                    GrpcEndpoint = server?.GrpcUrl,
                });
                await log.WriteLineAsync($"session-id: {session.SessionId}");
                var loop = new AgentLoop(session, runner, new AgentOptions
                {
                    Model = parse.GetValue(model)!,
                    MaxIterations = parse.GetValue(maxTurns),
                    Store = parse.GetValue(storeResponses) ? true : null,
                });
                var result = await loop.RunAsync($"{script.Task}\n\n(scenario: {sample.Name})", turn => log.WriteLine(Describe(turn)), ct);

                bool passed;
                if (workspace is not null)
                {
                    var check = await new WorkspaceToolRunner(workspace, script).RunAsync(new ToolCall("verify", CodingTools.RunTests, "{}"), ct);
                    passed = TestsPass(check.Output);
                }
                else
                {
                    var last = result.Turns.SelectMany(t => t.Calls).LastOrDefault(c => c.Call.Name == CodingTools.RunTests && !c.Result.IsError);
                    passed = last.Result is not null && TestsPass(last.Result.Output);
                }

                await log.WriteLineAsync($"{result.StopReason}: {result.Turns.Count} turns, {result.ToolCalls} tool calls, {result.Elapsed.TotalMilliseconds:F0} ms, " +
                    $"sent {result.BytesSent:N0} B, received {result.BytesReceived:N0} B, replays {result.Replays}, reconnects {result.Reconnects}, tests {(passed ? "pass" : "FAIL")}");
                if (recorder is not null && recordPath is not null)
                {
                    recorder.ToRecording(sample.Name).Save(recordPath);
                    await log.WriteLineAsync($"recording: {recordPath}");
                }

                if (result.FinalText is { } text)
                {
                    await log.WriteLineAsync("answer: " + text);
                }

                if (asJson)
                {
                    var summary = new AgentSummary(sample.Name, arm, parse.GetValue(model)!, toolMode, result.Turns.Count, result.ToolCalls, passed,
                        Math.Round(result.Elapsed.TotalMilliseconds, 1), result.BytesSent, result.BytesReceived, result.Replays, result.Reconnects,
                        result.StopReason.ToString(), result.FinalText, workspace?.Diff(), session.SessionId, [.. result.Turns.Select(t => t.ResponseId)]);
                    Console.Out.WriteLine(JsonSerializer.Serialize(summary, AgentJsonContext.Default.AgentSummary));
                }

                return result.StopReason == AgentStopReason.Answered && passed ? 0 : 1;
            }
            catch (ResponsesApiException ex)
            {
                await Console.Error.WriteLineAsync($"loopwire agent: the server refused a request: {ex.Message}");
                return 1;
            }
            catch (ResponsesConnectionException ex)
            {
                await Console.Error.WriteLineAsync($"loopwire agent: {ex.Message}");
                return 1;
            }
            finally
            {
                if (server is not null)
                {
                    await server.DisposeAsync();
                }

                workspace?.Dispose();
            }
        });
        return cmd;
    }

    private static string Describe(AgentTurn turn)
    {
        var m = turn.Metrics;
        string what = turn.FinalText is not null
            ? "answer"
            : string.Join(", ", turn.Calls.Select(c => $"{c.Call.Name}{(c.Result.IsError ? " (error)" : "")}"));
        string ttft = m.TimeToFirstToken is { } t ? $"{t.TotalMilliseconds,6:F0} ms" : "     -";
        return $"turn {turn.Index + 1,3}  ttft {ttft}  model {m.TurnTime.TotalMilliseconds,6:F0} ms  tools {turn.ToolTime.TotalMilliseconds,6:F0} ms  " +
            $"up {m.BytesSent,8:N0} B  down {m.BytesReceived,8:N0} B{(m.Replays > 0 ? $"  replays {m.Replays}" : "")}" +
            $"{(m.Reconnects > 0 ? $"  reconnects {m.Reconnects}" : "")}  {turn.ResponseId}  {what}";
    }

    private static bool TestsPass(string output)
    {
        var match = TestCounts().Match(output);
        return match.Success && match.Groups[2].Value == "0" && match.Groups[1].Value != "0";
    }

    [GeneratedRegex(@"passed:\s*(\d+),\s*failed:\s*(\d+)")]
    private static partial Regex TestCounts();
}

internal sealed record AgentSummary(string Scenario, string Transport, string Model, string Tools, int Turns, int ToolCalls, bool TestsPassed,
    double E2eMs, long BytesSent, long BytesReceived, int Replays, int Reconnects, string StopReason, string? FinalText, string? WorkspaceDiff,
    string SessionId, IReadOnlyList<string> ResponseIds);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AgentSummary))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
