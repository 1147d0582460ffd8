using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.Http.ResponsesHttp;

namespace Loopwire.Server.Tests.Http;

public sealed class ChainingTests : IClassFixture<LoopwireFactory>
{
    private readonly HttpClient _client;

    public ChainingTests(LoopwireFactory factory, ITestOutputHelper output)
    {
        factory.Output = output;
        _client = factory.CreateClient();
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task PreviousResponseId_ToolOutputFedBack_AnswersInTextWithCachedPrefix(bool streaming)
    {
        string instructions = LongInstructions();
        var first = Request(new JsonArray(UserMessage($"What is the weather in Rome? Use {WeatherTool}.")));
        first["instructions"] = instructions;
        first["tools"] = Tools();
        var call = await CreateAsync(_client, first, streaming);

        var fc = Assert.Single(call.Output.EnumerateArray());
        Assert.Equal("function_call", fc.Str("type"));
        int firstInput = call.Usage.GetProperty("input_tokens").GetInt32();
        Assert.True(firstInput >= 128, $"the prompt must span whole cache blocks, got {firstInput} tokens");
        Assert.Equal(0, call.Usage.GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt32());

        var second = Request(new JsonArray(ToolOutput(fc.Str("call_id"), "Sunny, 24 C.")));
        second["previous_response_id"] = call.Id;
        second["instructions"] = instructions;
        second["tools"] = Tools();
        var answer = await CreateAsync(_client, second, streaming);

        Assert.Equal(call.Id, answer.Response.Str("previous_response_id"));
        var message = Assert.Single(answer.Output.EnumerateArray());
        Assert.Equal("message", message.Str("type"));
        Assert.Contains("Sunny, 24 C.", message.Text(), StringComparison.Ordinal);
        int secondInput = answer.Usage.GetProperty("input_tokens").GetInt32();
        int cached = answer.Usage.GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt32();
        Assert.True(secondInput > firstInput, $"input tokens must grow: {firstInput} -> {secondInput}");
        Assert.True(cached > 0, "the continuation must hit the prefix cache");
        Assert.True(cached <= firstInput, $"only the earlier prompt can be cached: {cached} > {firstInput}");
        Assert.Equal(0, cached % 64);
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task PreviousResponseId_Continuation_StoresOnlyNewInputAndDoesNotInheritInstructions(bool streaming)
    {
        var first = Request(new JsonArray(UserMessage($"Use {WeatherTool} for Madrid.")));
        first["instructions"] = "Always be brief.";
        first["tools"] = Tools();
        var call = await CreateAsync(_client, first, streaming);
        string callId = Assert.Single(call.Output.EnumerateArray()).Str("call_id");
        Assert.Equal("Always be brief.", call.Response.Str("instructions"));

        var second = Request(new JsonArray(ToolOutput(callId, "Hot.")));
        second["previous_response_id"] = call.Id;
        second["tools"] = Tools();
        var answer = await CreateAsync(_client, second, streaming);

        Assert.Equal(JsonValueKind.Null, answer.Response.GetProperty("instructions").ValueKind);
        using var http = await _client.GetAsync(new Uri($"/v1/responses/{answer.Id}/input_items", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        var item = Assert.Single((await ReadJsonAsync(http)).GetProperty("data").EnumerateArray());
        Assert.Equal("function_call_output", item.Str("type"));
        Assert.Equal(callId, item.Str("call_id"));
        Assert.False(string.IsNullOrEmpty(item.Str("id")));
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task PreviousResponseId_ToolOutputWithEmoji_AnswerQuotesItWithoutReplacementChars(bool streaming)
    {
        // The simulated model quotes up to 80 UTF-16 units of the tool output; here unit 80 is inside a surrogate pair.
        string toolOutput = new string('a', 79) + "\U0001F600 température \u2600\uFE0F ok";
        var first = Request(new JsonArray(UserMessage($"Call {WeatherTool}.")));
        first["tools"] = Tools();
        var call = await CreateAsync(_client, first, streaming);

        var second = Request(new JsonArray(ToolOutput(call.Output[0].Str("call_id"), toolOutput)));
        second["previous_response_id"] = call.Id;
        second["tools"] = Tools();
        var answer = await CreateAsync(_client, second, streaming);

        string text = answer.Output[0].Text();
        Assert.StartsWith("The tool returned: " + new string('a', 79), text, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', text);
        foreach (var e in answer.Events.Where(e => e.Type == "response.output_text.delta"))
        {
            Assert.DoesNotContain('\uFFFD', e.Json.Str("delta"));
        }
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task PreviousResponseId_NotStored_Returns400PreviousResponseNotFound(bool streaming)
    {
        var unstored = await CreateAsync(_client, Request("Remember the number 7.", store: false), streaming);

        using var get = await _client.GetAsync(new Uri($"/v1/responses/{unstored.Id}", UriKind.Relative));
        await AssertErrorAsync(get, HttpStatusCode.NotFound);
        using var items = await _client.GetAsync(new Uri($"/v1/responses/{unstored.Id}/input_items", UriKind.Relative));
        await AssertErrorAsync(items, HttpStatusCode.NotFound);

        var next = Request("Which number?");
        next["previous_response_id"] = unstored.Id;
        next["stream"] = streaming;
        using var content = Content(next.ToJsonString());
        using var http = await _client.PostAsync(new Uri("/v1/responses", UriKind.Relative), content);
        var error = await AssertErrorAsync(http, HttpStatusCode.BadRequest, "previous_response_not_found", "previous_response_id");
        Assert.Contains(unstored.Id, error.Str("message"), StringComparison.Ordinal);
        await AssertStillServesAsync(_client);
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task Conversation_ChainedOrReplayedInFull_ProducesIdenticalOutput(bool streaming)
    {
        // Unique instructions keep this conversation apart from every other test's (the model is deterministic).
        string instructions = LongInstructions();
        var user1 = UserMessage($"Check the weather in Lisbon with {WeatherTool}.");
        var user3 = UserMessage("Thanks. Now summarise the conversation.");

        JsonObject Body(JsonArray input, bool store, string? previous)
        {
            var body = Request(input, store);
            body["instructions"] = instructions;
            body["tools"] = Tools();
            if (previous is not null)
            {
                body["previous_response_id"] = previous;
            }

            return body;
        }

        // (a) Chained: each request sends only the new items.
        var a1 = await CreateAsync(_client, Body([user1.DeepClone()], store: true, null), streaming);
        string callId = Assert.Single(a1.Output.EnumerateArray()).Str("call_id");
        var a2 = await CreateAsync(_client, Body([ToolOutput(callId, "Cloudy, 18 C.")], store: true, a1.Id), streaming);
        var a3 = await CreateAsync(_client, Body([user3.DeepClone()], store: true, a2.Id), streaming);

        // (b) Stateless: store:false, the whole history every time, replaying the outputs as the server sent them.
        var history = new JsonArray(user1.DeepClone());
        var b1 = await CreateAsync(_client, Body(Copy(history), store: false, null), streaming);
        Append(history, b1.Output);
        history.Add(ToolOutput(Assert.Single(b1.Output.EnumerateArray()).Str("call_id"), "Cloudy, 18 C."));
        var b2 = await CreateAsync(_client, Body(Copy(history), store: false, null), streaming);
        Append(history, b2.Output);
        history.Add(user3.DeepClone());
        var b3 = await CreateAsync(_client, Body(Copy(history), store: false, null), streaming);

        foreach (var (chained, replayed) in new[] { (a1, b1), (a2, b2), (a3, b3) })
        {
            var x = WithoutIds(chained.Output);
            var y = WithoutIds(replayed.Output);
            Assert.True(JsonNode.DeepEquals(x, y), $"chained {x.ToJsonString()}\n!= replayed {y.ToJsonString()}");
            Assert.Equal(chained.Usage.GetProperty("input_tokens").GetInt32(), replayed.Usage.GetProperty("input_tokens").GetInt32());
            Assert.Equal(chained.Usage.GetProperty("output_tokens").GetInt32(), replayed.Usage.GetProperty("output_tokens").GetInt32());
        }

        Assert.Equal("function_call", a1.Output[0].Str("type"));
        Assert.Equal(callId, b1.Output[0].Str("call_id"));
        Assert.Equal("message", a2.Output[0].Str("type"));
        Assert.Equal("message", a3.Output[0].Str("type"));
        Assert.NotEqual(a2.Output[0].Text(), a3.Output[0].Text());
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task PreviousResponseId_ConcurrentConversations_EachContinuesItsOwn(bool streaming)
    {
        async Task<string> ConverseAsync(int n)
        {
            var first = Request(new JsonArray(UserMessage($"Conversation {n}: call {WeatherTool}.")));
            first["tools"] = Tools();
            var call = await CreateAsync(_client, first, streaming);
            var next = Request(new JsonArray(ToolOutput(call.Output[0].Str("call_id"), $"Result for conversation {n}.")));
            next["previous_response_id"] = call.Id;
            next["tools"] = Tools();
            var answer = await CreateAsync(_client, next, streaming);
            return answer.Output[0].Text();
        }

        string[] answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(ConverseAsync));

        for (int n = 0; n < answers.Length; n++)
        {
            Assert.Contains($"Result for conversation {n}.", answers[n], StringComparison.Ordinal);
        }
    }

    private static JsonArray Copy(JsonArray items) => JsonNode.Parse(items.ToJsonString())!.AsArray();

    private static void Append(JsonArray history, JsonElement output)
    {
        foreach (var item in output.EnumerateArray())
        {
            history.Add(JsonNode.Parse(item.GetRawText()));
        }
    }
}
