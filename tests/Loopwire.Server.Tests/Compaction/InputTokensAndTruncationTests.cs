using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.Compaction.CompactionHttp;
using static Loopwire.Server.Tests.Http.ResponsesHttp;

namespace Loopwire.Server.Tests.Compaction;

/// <summary><c>POST /v1/responses/input_tokens</c>, <c>truncation</c> and the newer item types.</summary>
public sealed class InputTokensAndTruncationTests : IClassFixture<LoopwireFactory>
{
    private readonly LoopwireFactory _factory;
    private readonly HttpClient _client;

    public InputTokensAndTruncationTests(LoopwireFactory factory, ITestOutputHelper output)
    {
        factory.Output = output;
        _factory = factory;
        _client = factory.CreateClient();
    }

    [Fact]
    public async Task InputTokens_RandomRequests_EqualTheTurnsReportedInputTokens()
    {
        var rng = new Random(1818);
        for (int round = 0; round < 24; round++)
        {
            var body = RandomRequest(rng, round);
            if (round % 4 == 3)
            {
                // A continuation: counted from the stored chain, as the turn is.
                var first = await CreateAsync(_client, RandomRequest(rng, round + 1000), stream: false);
                body["previous_response_id"] = first.Id;
            }

            int counted = await InputTokensAsync(_client, (JsonObject)body.DeepClone());
            var turn = await CreateAsync(_client, body, stream: rng.Next(2) == 0);
            Assert.Equal(turn.Usage.GetProperty("input_tokens").GetInt32(), counted);
        }
    }

    [Fact]
    public async Task InputTokens_EmptyBody_CountsNothing()
    {
        using var content = Content("{}");
        using var http = await _client.PostAsync(new Uri("/v1/responses/input_tokens", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        Assert.Equal("""{"object":"response.input_tokens","input_tokens":0}""", await http.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task InputTokens_InvalidInput_400AsForCreate()
    {
        var (status, body) = await PostAsync(_client, "/v1/responses/input_tokens",
            new JsonObject { ["input"] = new JsonArray(ToolOutput("call_nowhere", "x")) });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("input[0].call_id", body.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Truncation_OverTheModelsWindow_DisabledIs400AndAutoDropsTheOldest()
    {
        using var small = _factory.WithSettings(("Loopwire:ContextWindows:sim-instant", "400"));
        using var client = small.CreateClient();
        var input = new JsonArray(new JsonObject { ["role"] = "developer", ["content"] = "Keep answers short." });
        foreach (var item in History(6))
        {
            input.Add(item!.DeepClone());
        }

        var body = Request(input);
        body["instructions"] = "You are a coding agent.";
        int full = await InputTokensAsync(_client, (JsonObject)body.DeepClone());
        Assert.True(full > 400, $"the history must overflow the window: {full}");

        using (var content = Content(body.ToJsonString()))
        using (var http = await client.PostAsync(new Uri("/v1/responses", UriKind.Relative), content))
        {
            var error = await AssertErrorAsync(http, HttpStatusCode.BadRequest, "context_length_exceeded", "input");
            Assert.Contains("Loopwire:ContextWindows:sim-instant", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        body["truncation"] = "auto";
        int counted = await InputTokensAsync(client, (JsonObject)body.DeepClone());
        var turn = await CreateAsync(client, body, stream: false);
        int used = turn.Usage.GetProperty("input_tokens").GetInt32();
        Assert.Equal(counted, used);
        Assert.InRange(used, 1, 400);
        Assert.Equal("auto", turn.Response.GetProperty("truncation").GetString());
    }

    [Fact]
    public async Task NewerItemTypes_Accepted_KeptEchoedAndRendered()
    {
        var input = new JsonArray(
            UserMessage("Run the program."),
            JsonNode.Parse("""{"type":"additional_tools","id":"at_1","tools":[{"type":"function","name":"ls"}]}"""),
            JsonNode.Parse("""{"type":"program","id":"prg_1","call_id":"p1","code":"print(ls())","language":"python"}"""),
            JsonNode.Parse("""{"type":"program_output","id":"prgo_1","call_id":"p1","output":"a.txt b.txt"}"""),
            UserMessage("What files are there?"));
        var turn = await CreateAsync(_client, Request(input.DeepClone()), stream: false);
        Assert.Equal("completed", turn.Response.GetProperty("status").GetString());

        var items = Parse(await _client.GetStringAsync(new Uri($"/v1/responses/{turn.Id}/input_items?order=asc", UriKind.Relative)))
            .GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["message", "additional_tools", "program", "program_output", "message"], items.Select(i => i.GetProperty("type").GetString()));
        Assert.Equal("print(ls())", items[2].GetProperty("code").GetString());
        Assert.Equal("a.txt b.txt", items[3].GetProperty("output").GetString());
        Assert.Equal("ls", items[1].GetProperty("tools")[0].GetProperty("name").GetString());

        int with = await InputTokensAsync(_client, Request(input.DeepClone()));
        int without = await InputTokensAsync(_client, Request(new JsonArray(UserMessage("Run the program."), UserMessage("What files are there?"))));
        Assert.True(with > without, $"opaque items are rendered: {with} vs {without}");
    }

    private static JsonObject RandomRequest(Random rng, int round)
    {
        var input = new JsonArray();
        int items = 1 + rng.Next(8);
        for (int i = 0; i < items; i++)
        {
            switch (rng.Next(4))
            {
                case 0:
                    input.Add(new JsonObject
                    {
                        ["type"] = "function_call",
                        ["call_id"] = $"call_{round}_{i}",
                        ["name"] = WeatherTool,
                        ["arguments"] = $$"""{"city":"{{Words(rng, 1)}}"}""",
                    });
                    input.Add(ToolOutput($"call_{round}_{i}", Words(rng, 5 + rng.Next(60))));
                    break;
                case 1:
                    input.Add(new JsonObject { ["role"] = "assistant", ["content"] = Words(rng, 3 + rng.Next(40)) });
                    break;
                default:
                    input.Add(UserMessage(Words(rng, 1 + rng.Next(50))));
                    break;
            }
        }

        var body = Request(input);
        if (rng.Next(2) == 0)
        {
            body["instructions"] = Words(rng, 5 + rng.Next(30));
        }

        if (rng.Next(2) == 0)
        {
            body["tools"] = Tools();
        }

        return body;
    }

    private static string Words(Random rng, int n)
    {
        string[] words = ["alpha", "beta", "gamma", "délta", "日本", "tool", "x=1;", "\n", "émoji 🙂", "return", "{}", "Paris"];
        return string.Join(' ', Enumerable.Range(0, n).Select(_ => words[rng.Next(words.Length)]));
    }
}
