using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Loopwire.TestKit;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.Http.ResponsesHttp;

namespace Loopwire.Server.Tests.Http;

/// <summary>Exact <c>tool_choice</c> and custom tools on the simulated model, against a started server.</summary>
public sealed class ToolChoiceTests : IClassFixture<LoopwireFactory>
{
    private readonly HttpClient _client;

    public ToolChoiceTests(LoopwireFactory factory, ITestOutputHelper output)
    {
        factory.Output = output;
        _client = factory.CreateClient();
    }

    [Theory]
    [InlineData("""{"type":"function","name":"get_time"}""", "get_time")]
    [InlineData("""{"type":"custom","name":"get_weather"}""", "get_weather")]
    [InlineData("""{"type":"allowed_tools","mode":"auto","tools":[{"type":"function","name":"nope"}]}""", "nope")]
    public async Task ToolChoice_NamesUndeclaredTool_Is400(string choice, string name)
    {
        var body = Request(new JsonArray(UserMessage("hi")));
        body["tools"] = TwoTools();
        body["tool_choice"] = JsonNode.Parse(choice);

        using var http = await _client.PostAsync(new Uri("/v1/responses", UriKind.Relative), Content(body.ToJsonString()));
        var error = (await ReadJsonAsync(http)).GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, http.StatusCode);
        Assert.Equal("tool_choice", error.Str("param"));
        Assert.Equal($"Tool choice '{name}' not found in 'tools' parameter.", error.Str("message"));
    }

    [Theory]
    [InlineData("function", "get_traffic", "function_call", false)]
    [InlineData("function", "get_traffic", "function_call", true)]
    [InlineData("custom", "run_sql", "custom_tool_call", false)]
    [InlineData("custom", "run_sql", "custom_tool_call", true)]
    public async Task ToolChoice_ForcedTool_CallsThatToolNotTheNamedOne(string type, string name, string itemType, bool streaming)
    {
        var turn = await RunAsync($"Use {WeatherTool} for Rome.", $$"""{"type":"{{type}}","name":"{{name}}"}""", streaming, ToolsWithCustom());

        var call = Assert.Single(turn.Output.EnumerateArray());
        Assert.Equal(itemType, call.Str("type"));
        Assert.Equal(name, call.Str("name"));
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task ToolChoice_None_AnswersInTextEvenWhenAToolIsNamed(bool streaming)
    {
        var turn = await RunAsync($"Use {WeatherTool} for Rome.", "\"none\"", streaming);

        Assert.Equal("message", Assert.Single(turn.Output.EnumerateArray()).Str("type"));
    }

    [Theory]
    [InlineData("auto", "get_time", "message", null)]
    [InlineData("auto", WeatherTool, "function_call", WeatherTool)]
    [InlineData("required", "get_time", "function_call", WeatherTool)]
    public async Task ToolChoice_AllowedTools_OnlyThoseCanBeCalled(string mode, string named, string type, string? called)
    {
        var choice = $$"""{"type":"allowed_tools","mode":"{{mode}}","tools":[{"type":"function","name":"{{WeatherTool}}"}]}""";

        var turn = await RunAsync($"Use {named} please.", choice, streaming: false);

        var item = Assert.Single(turn.Output.EnumerateArray());
        Assert.Equal(type, item.Str("type"));
        if (called is not null)
        {
            Assert.Equal(called, item.Str("name"));
        }
    }

    [Fact]
    public async Task ToolChoice_Required_CallsEvenWithoutANamedTool()
    {
        var turn = await RunAsync("Just say hello.", "\"required\"", streaming: false);

        Assert.Equal("function_call", Assert.Single(turn.Output.EnumerateArray()).Str("type"));
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task CustomTool_NamedByUser_StreamsInputWhoseDeltasEqualDoneAndItem(bool streaming)
    {
        var turn = await RunAsync("Please run_sql: SELECT name, total FROM orders WHERE total > 100 ORDER BY total DESC;", null, streaming,
            ToolsWithCustom());

        var call = Assert.Single(turn.Output.EnumerateArray());
        Assert.Equal("custom_tool_call", call.Str("type"));
        Assert.Equal("run_sql", call.Str("name"));
        Assert.Equal("SELECT name, total FROM orders WHERE total > 100 ORDER BY total DESC;", call.Str("input"));
        Assert.StartsWith("call_", call.Str("call_id"), StringComparison.Ordinal);
        if (streaming)
        {
            var deltas = turn.Events.Where(e => e.Type == "response.custom_tool_call_input.delta").ToList();
            var done = Assert.Single(turn.Events, e => e.Type == "response.custom_tool_call_input.done");
            Assert.True(deltas.Count > 1);
            Assert.All(deltas, d => Assert.Equal(call.Str("id"), d.Json.Str("item_id")));
            var concatenated = new StringBuilder();
            foreach (var d in deltas)
            {
                concatenated.Append(d.Json.Str("delta"));
            }

            Assert.Equal(done.Json.Str("input"), concatenated.ToString());
            Assert.Equal(call.Str("input"), done.Json.Str("input"));
            var added = Assert.Single(turn.Events, e => e.Type == "response.output_item.added");
            Assert.Equal("custom_tool_call", added.Json.GetProperty("item").Str("type"));
        }

        // The output goes back as custom_tool_call_output and the model answers in text.
        var next = Request(new JsonArray(new JsonObject { ["type"] = "custom_tool_call_output", ["call_id"] = call.Str("call_id"), ["output"] = "3 rows" }));
        next["previous_response_id"] = turn.Id;
        next["tools"] = ToolsWithCustom();
        var answer = await CreateAsync(_client, next, streaming);
        Assert.Equal("message", Assert.Single(answer.Output.EnumerateArray()).Str("type"));
    }

    private async Task<Turn> RunAsync(string user, string? choice, bool streaming, JsonArray? tools = null)
    {
        var body = Request(new JsonArray(UserMessage(user)));
        body["tools"] = tools ?? TwoTools();
        if (choice is not null)
        {
            body["tool_choice"] = JsonNode.Parse(choice);
        }

        return await CreateAsync(_client, body, streaming);
    }

    private static JsonArray TwoTools() =>
        [Requests.CityTool(WeatherTool, "Gets the weather."), Requests.CityTool("get_traffic", "Gets the traffic.")];

    private static JsonArray ToolsWithCustom()
    {
        var tools = TwoTools();
        tools.Add(new JsonObject { ["type"] = "custom", ["name"] = "run_sql", ["description"] = "Runs one SQL statement." });
        return tools;
    }
}
