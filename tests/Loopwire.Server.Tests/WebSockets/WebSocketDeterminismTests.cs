using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.WebSockets.WsJson;
using static Loopwire.Server.Tests.WebSockets.WsTestClient;

namespace Loopwire.Server.Tests.WebSockets;

public sealed class WebSocketDeterminismTests(ITestOutputHelper output)
{
    private const string ToolResult = "Cloudy, 18 C";

    [Fact]
    public async Task ToolConversation_DeltasFullReplaysAndHttp_SameOutputItems()
    {
        await using var host = new WsTestHost(output);

        var deltas = await OverWebSocketAsync(host, chained: true);
        var wsReplays = await OverWebSocketAsync(host, chained: false);
        var httpReplays = await OverHttpAsync(host, streaming: false);
        var sseReplays = await OverHttpAsync(host, streaming: true);

        Assert.Equal(3, deltas.Count);
        Assert.Contains("\"function_call\"", deltas[0].Output);
        Assert.Contains("\"message\"", deltas[1].Output);
        Assert.Contains("\"get_time\"", deltas[2].Output);
        Assert.Equal(deltas, wsReplays);
        Assert.Equal(deltas, httpReplays);
        Assert.Equal(deltas, sseReplays);
    }

    private static JsonNode Turn(int turn, JsonArray? previousOutput) => turn switch
    {
        0 => User("Please use get_weather for Rome."),
        1 => ToolOutput(previousOutput![0]!["call_id"]!.GetValue<string>(), ToolResult),
        _ => User("Thanks. Now use get_time for Rome."),
    };

    /// <summary>Three turns over one socket: with <paramref name="chained"/> only the new items and previous_response_id, else the full history.</summary>
    private static async Task<List<TurnResult>> OverWebSocketAsync(WsTestHost host, bool chained)
    {
        await using var ws = await host.ConnectAsync();
        var history = new JsonArray();
        var results = new List<TurnResult>();
        string? previousId = null;
        JsonArray? previousOutput = null;
        for (int turn = 0; turn < 3; turn++)
        {
            var item = Turn(turn, previousOutput);
            history.Add(item.DeepClone());
            var body = chained
                ? Request(Instant, false, Items(item), tools: true, previousResponseId: previousId)
                : Request(Instant, false, Items([.. history.Select(h => h!)]), tools: true);
            var events = await ws.RunAsync(body);
            Assert.Equal("response.completed", Type(Last(events)));
            var response = Response(Last(events));
            previousId = response.GetProperty("id").GetString();
            previousOutput = ToNode(response.GetProperty("output")).AsArray();
            foreach (var o in previousOutput)
            {
                history.Add(o!.DeepClone());
            }

            results.Add(Result(response));
        }

        return results;
    }

    private static async Task<List<TurnResult>> OverHttpAsync(WsTestHost host, bool streaming)
    {
        var history = new JsonArray();
        var results = new List<TurnResult>();
        JsonArray? previousOutput = null;
        for (int turn = 0; turn < 3; turn++)
        {
            history.Add(Turn(turn, previousOutput).DeepClone());
            var body = Request(Instant, false, Items([.. history.Select(h => h!)]), tools: true);
            JsonElement response;
            if (streaming)
            {
                var events = await host.PostSseAsync(body);
                Assert.Equal("response.completed", Type(Last(events)));
                response = Response(Last(events));
            }
            else
            {
                var (status, json) = await host.PostAsync(body);
                Assert.Equal(200, status);
                response = json;
            }

            previousOutput = ToNode(response.GetProperty("output")).AsArray();
            foreach (var o in previousOutput)
            {
                history.Add(o!.DeepClone());
            }

            results.Add(Result(response));
        }

        return results;
    }

    private static TurnResult Result(JsonElement response) => new(
        Canonical(response.GetProperty("output"), "id"),
        response.GetProperty("usage").GetProperty("input_tokens").GetInt32(),
        response.GetProperty("usage").GetProperty("output_tokens").GetInt32());

    private sealed record TurnResult(string Output, int InputTokens, int OutputTokens);
}
