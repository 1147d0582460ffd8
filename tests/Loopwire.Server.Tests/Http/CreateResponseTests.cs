using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.Http.ResponsesHttp;

namespace Loopwire.Server.Tests.Http;

public sealed class CreateResponseTests : IClassFixture<LoopwireFactory>
{
    private readonly LoopwireFactory _factory;
    private readonly HttpClient _client;

    public CreateResponseTests(LoopwireFactory factory, ITestOutputHelper output)
    {
        factory.Output = output;
        _factory = factory;
        _client = factory.CreateClient();
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task Post_TextAnswer_ReturnsCompleteResponseObject(bool streaming)
    {
        var turn = await CreateAsync(_client, Request("Say hello."), streaming);
        var r = turn.Response;

        Assert.StartsWith("req_", Assert.Single(turn.Http.Headers.GetValues("x-request-id")));
        Assert.StartsWith("resp_", r.Str("id"));
        Assert.Equal("response", r.Str("object"));
        Assert.Equal("completed", r.Str("status"));
        Assert.Equal(LoopwireFactory.Model, r.Str("model"));
        Assert.True(r.GetProperty("created_at").GetInt64() > 1_700_000_000);
        Assert.True(r.GetProperty("store").GetBoolean());
        foreach (var name in new[] { "previous_response_id", "error", "incomplete_details", "instructions" })
        {
            Assert.True(r.TryGetProperty(name, out var v), $"'{name}' must be present");
            Assert.Equal(JsonValueKind.Null, v.ValueKind);
        }

        var item = Assert.Single(r.GetProperty("output").EnumerateArray());
        Assert.Equal("message", item.Str("type"));
        Assert.StartsWith("msg_", item.Str("id"));
        Assert.Equal("completed", item.Str("status"));
        Assert.Equal("assistant", item.Str("role"));
        var part = Assert.Single(item.GetProperty("content").EnumerateArray());
        Assert.Equal("output_text", part.Str("type"));
        Assert.False(string.IsNullOrWhiteSpace(part.Str("text")));
        Assert.Equal(JsonValueKind.Array, part.GetProperty("annotations").ValueKind);
        Assert.Equal(0, part.GetProperty("annotations").GetArrayLength());

        var usage = r.GetProperty("usage");
        int input = usage.GetProperty("input_tokens").GetInt32();
        int output = usage.GetProperty("output_tokens").GetInt32();
        Assert.True(input > 0);
        Assert.True(output > 0);
        Assert.InRange(usage.GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt32(), 0, input);
        Assert.Equal(input + output, usage.GetProperty("total_tokens").GetInt32());
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task Post_StoreFalse_EchoesStoreFalse(bool streaming)
    {
        var turn = await CreateAsync(_client, Request("Say hello.", store: false), streaming);

        Assert.False(turn.Response.GetProperty("store").GetBoolean());
    }

    [Fact]
    public async Task Stream_TextAnswer_EmitsEventsInProtocolOrder()
    {
        var turn = await CreateAsync(_client, Request("Tell me about sockets."), stream: true);
        var events = turn.Events;
        AssertFraming(events);
        Assert.DoesNotContain(events, e => e.IsDone);

        string[] types = events.Select(e => e.Type).ToArray();
        int deltas = types.Length - 8;
        Assert.True(deltas >= 1, "at least one output_text.delta");
        string[] expected =
        [
            "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
            .. Enumerable.Repeat("response.output_text.delta", deltas),
            "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed",
        ];
        Assert.Equal(expected, types);

        foreach (var lifecycle in events.Take(2).Select(e => e.Json.GetProperty("response")))
        {
            Assert.Equal("in_progress", lifecycle.Str("status"));
            Assert.Equal(0, lifecycle.GetProperty("output").GetArrayLength());
            Assert.Equal(JsonValueKind.Null, lifecycle.GetProperty("usage").ValueKind);
            Assert.Equal(turn.Id, lifecycle.Str("id"));
        }

        var added = events[2].Json;
        Assert.Equal(0, added.GetProperty("output_index").GetInt32());
        var addedItem = added.GetProperty("item");
        string itemId = addedItem.Str("id");
        Assert.StartsWith("msg_", itemId);
        Assert.Equal("message", addedItem.Str("type"));
        Assert.Equal("in_progress", addedItem.Str("status"));
        Assert.Equal("assistant", addedItem.Str("role"));
        Assert.Equal(0, addedItem.GetProperty("content").GetArrayLength());

        var partAdded = events[3].Json;
        AssertContentEvent(partAdded, itemId);
        Assert.Equal("output_text", partAdded.GetProperty("part").Str("type"));
        Assert.Equal("", partAdded.GetProperty("part").Str("text"));
        Assert.Equal(0, partAdded.GetProperty("part").GetProperty("annotations").GetArrayLength());

        var deltaEvents = events.Skip(4).Take(deltas).Select(e => e.Json).ToList();
        foreach (var d in deltaEvents)
        {
            AssertContentEvent(d, itemId);
            Assert.Equal(JsonValueKind.Array, d.GetProperty("logprobs").ValueKind);
        }

        string text = string.Concat(deltaEvents.Select(d => d.Str("delta")));
        Assert.Equal(text, events[^4].Json.Str("text"));
        AssertContentEvent(events[^4].Json, itemId);
        AssertContentEvent(events[^3].Json, itemId);
        Assert.Equal(text, events[^3].Json.GetProperty("part").Str("text"));

        var itemDone = events[^2].Json;
        Assert.Equal(0, itemDone.GetProperty("output_index").GetInt32());
        Assert.Equal(itemId, itemDone.GetProperty("item").Str("id"));
        Assert.Equal("completed", itemDone.GetProperty("item").Str("status"));
        Assert.Equal(text, itemDone.GetProperty("item").Text());

        var final = turn.Response;
        Assert.Equal("completed", final.Str("status"));
        Assert.Equal(JsonValueKind.Object, final.GetProperty("usage").ValueKind);
        var finalItem = Assert.Single(final.GetProperty("output").EnumerateArray());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(itemDone.GetProperty("item").GetRawText()), JsonNode.Parse(finalItem.GetRawText())));
    }

    [Fact]
    public async Task Stream_FunctionCall_EmitsEventsInProtocolOrder()
    {
        var body = Request(new JsonArray(UserMessage($"What is the weather in Paris? Use {WeatherTool}.")));
        body["tools"] = Tools();
        var turn = await CreateAsync(_client, body, stream: true);
        var events = turn.Events;
        AssertFraming(events);
        Assert.DoesNotContain(events, e => e.IsDone);

        string[] types = events.Select(e => e.Type).ToArray();
        int deltas = types.Length - 6;
        Assert.True(deltas >= 1, "at least one function_call_arguments.delta");
        string[] expected =
        [
            "response.created", "response.in_progress", "response.output_item.added",
            .. Enumerable.Repeat("response.function_call_arguments.delta", deltas),
            "response.function_call_arguments.done", "response.output_item.done", "response.completed",
        ];
        Assert.Equal(expected, types);

        var added = events[2].Json;
        Assert.Equal(0, added.GetProperty("output_index").GetInt32());
        var addedItem = added.GetProperty("item");
        string itemId = addedItem.Str("id");
        string callId = addedItem.Str("call_id");
        Assert.StartsWith("fc_", itemId);
        Assert.StartsWith("call_", callId);
        Assert.Equal("function_call", addedItem.Str("type"));
        Assert.Equal("in_progress", addedItem.Str("status"));
        Assert.Equal(WeatherTool, addedItem.Str("name"));
        Assert.Equal("", addedItem.Str("arguments"));

        var deltaEvents = events.Skip(3).Take(deltas).Select(e => e.Json).ToList();
        foreach (var d in deltaEvents)
        {
            Assert.Equal(itemId, d.Str("item_id"));
            Assert.Equal(0, d.GetProperty("output_index").GetInt32());
        }

        string arguments = string.Concat(deltaEvents.Select(d => d.Str("delta")));
        using (var parsed = JsonDocument.Parse(arguments))
        {
            Assert.Equal(JsonValueKind.String, parsed.RootElement.GetProperty("city").ValueKind);
        }

        var argsDone = events[^3].Json;
        Assert.Equal(itemId, argsDone.Str("item_id"));
        Assert.Equal(0, argsDone.GetProperty("output_index").GetInt32());
        Assert.Equal(WeatherTool, argsDone.Str("name"));
        Assert.Equal(arguments, argsDone.Str("arguments"));

        var itemDone = events[^2].Json.GetProperty("item");
        Assert.Equal(itemId, itemDone.Str("id"));
        Assert.Equal(callId, itemDone.Str("call_id"));
        Assert.Equal("completed", itemDone.Str("status"));
        Assert.Equal(WeatherTool, itemDone.Str("name"));
        Assert.Equal(arguments, itemDone.Str("arguments"));

        var finalItem = Assert.Single(turn.Output.EnumerateArray());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(itemDone.GetRawText()), JsonNode.Parse(finalItem.GetRawText())));
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task Post_FunctionToolNamed_ReturnsFunctionCall(bool streaming)
    {
        var body = Request(new JsonArray(UserMessage($"Call {WeatherTool} for Oslo.")));
        body["tools"] = Tools();
        var turn = await CreateAsync(_client, body, streaming);

        var call = Assert.Single(turn.Output.EnumerateArray());
        Assert.Equal("function_call", call.Str("type"));
        Assert.StartsWith("fc_", call.Str("id"));
        Assert.StartsWith("call_", call.Str("call_id"));
        Assert.Equal(WeatherTool, call.Str("name"));
        Assert.Equal("completed", call.Str("status"));
        Assert.Equal(JsonValueKind.String, call.GetProperty("arguments").ValueKind);
        using var args = JsonDocument.Parse(call.Str("arguments"));
        Assert.Equal(JsonValueKind.Object, args.RootElement.ValueKind);
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task Post_MaxOutputTokensReached_ReturnsIncomplete(bool streaming)
    {
        var body = Request("Write a long story about sockets.");
        body["max_output_tokens"] = 3;

        var r = await CreateIncompleteAsync(body, streaming);

        Assert.Equal("incomplete", r.Str("status"));
        Assert.Equal("max_output_tokens", r.GetProperty("incomplete_details").Str("reason"));
        Assert.Equal(3, r.GetProperty("max_output_tokens").GetInt32());
        Assert.Equal(3, r.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        var item = Assert.Single(r.GetProperty("output").EnumerateArray());
        Assert.Equal("incomplete", item.Str("status"));
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task Post_MaxOutputTokensReachedInFunctionCall_MarksCallIncomplete(bool streaming)
    {
        var tools = Tools();
        tools[0]!["parameters"] = JsonNode.Parse(
            """{"type":"object","properties":{"city":{"type":"string"},"country":{"type":"string"},"units":{"type":"string"},"language":{"type":"string"}}}""");
        var body = Request(new JsonArray(UserMessage($"Call {WeatherTool} with every detail you can.")));
        body["tools"] = tools;
        body["max_output_tokens"] = 12;

        var turn = await CreateIncompleteAsync(body, streaming);

        Assert.Equal("incomplete", turn.Str("status"));
        var call = Assert.Single(turn.GetProperty("output").EnumerateArray());
        Assert.Equal("function_call", call.Str("type"));
        Assert.Equal("incomplete", call.Str("status"));
    }

    private async Task<JsonElement> CreateIncompleteAsync(JsonObject body, bool streaming)
    {
        body["stream"] = streaming;
        using var content = Content(body.ToJsonString());
        using var http = await _client.PostAsync(new Uri("/v1/responses", UriKind.Relative), content);
        Assert.Equal(System.Net.HttpStatusCode.OK, http.StatusCode);
        if (!streaming)
        {
            return await ReadJsonAsync(http);
        }

        var events = await ReadEventsAsync(http);
        AssertFraming(events);
        Assert.Equal("response.incomplete", events[^1].Type);
        var done = events.Last(e => e.Type == "response.output_item.done").Json.GetProperty("item");
        var final = events[^1].Json.GetProperty("response");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(done.GetRawText()), JsonNode.Parse(final.GetProperty("output").EnumerateArray().Last().GetRawText())));
        return final;
    }

    [Fact]
    public async Task Stream_DoneSentinelConfigured_EndsWithDone()
    {
        using var client = _factory.WithSettings(("Loopwire:SseDoneSentinel", "true")).CreateClient();

        var turn = await CreateAsync(client, Request("Say hello."), stream: true);

        Assert.True(turn.Events[^1].IsDone, "the last event must be data: [DONE]");
        Assert.Single(turn.Events, e => e.IsDone);
        AssertFraming(turn.Events.Take(turn.Events.Count - 1).ToList());
        Assert.Equal("response.completed", turn.Events[^2].Type);
    }

    /// <summary>Every event: <c>event:</c> equals the JSON <c>type</c>; sequence numbers are 0..n-1 in order.</summary>
    private static void AssertFraming(IReadOnlyList<SseEvent> events)
    {
        for (int i = 0; i < events.Count; i++)
        {
            Assert.Equal(events[i].Type, events[i].Name);
            Assert.Equal(i, events[i].Json.GetProperty("sequence_number").GetInt32());
        }
    }

    private static void AssertContentEvent(JsonElement e, string itemId)
    {
        Assert.Equal(itemId, e.Str("item_id"));
        Assert.Equal(0, e.GetProperty("output_index").GetInt32());
        Assert.Equal(0, e.GetProperty("content_index").GetInt32());
    }
}
