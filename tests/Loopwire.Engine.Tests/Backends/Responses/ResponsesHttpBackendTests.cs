using System.Text;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Backends.Responses;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using static Loopwire.Engine.Tests.Backends.ScriptedUpstream;

namespace Loopwire.Engine.Tests.Backends.Responses;

public sealed class ResponsesHttpBackendTests
{
    private static ResponsesHttpBackend Backend(ScriptedUpstream upstream)
    {
        var options = new UpstreamBackendOptions { Type = "responses", BaseUrl = "http://upstream.test/v1", RetryDelayMilliseconds = 0 };
        return new("up", options, Client(upstream, options));
    }

    private static HttpResponseMessage Events(params string[] events)
    {
        var sb = new StringBuilder();
        foreach (var e in events)
        {
            string type = System.Text.Json.JsonDocument.Parse(e).RootElement.GetProperty("type").GetString()!;
            sb.Append("event: ").Append(type).Append("\ndata: ").Append(e).Append("\n\n");
        }

        return Sse(ScriptStream.Of(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    [Fact]
    public async Task StreamAsync_TextAndCall_YieldsChunksAndUpstreamUsage()
    {
        var upstream = new ScriptedUpstream().Then(() => Events(
            """{"type":"response.created","sequence_number":0,"response":{"id":"resp_up1","status":"in_progress","output":[]}}""",
            """{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_1","type":"message","role":"assistant","content":[]}}""",
            """{"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Let me check."}""",
            """{"type":"response.output_item.added","sequence_number":3,"output_index":1,"item":{"id":"fc_1","type":"function_call","call_id":"call_9","name":"get_weather","arguments":""}}""",
            """{"type":"response.function_call_arguments.delta","sequence_number":4,"item_id":"fc_1","output_index":1,"delta":"{\"city\":"}""",
            """{"type":"response.function_call_arguments.delta","sequence_number":5,"item_id":"fc_1","output_index":1,"delta":"\"Paris\"}"}""",
            """{"type":"response.output_item.done","sequence_number":6,"output_index":1,"item":{"id":"fc_1","type":"function_call","call_id":"call_9","name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}""",
            """{"type":"response.completed","sequence_number":7,"response":{"id":"resp_up1","status":"completed","usage":{"input_tokens":40,"input_tokens_details":{"cached_tokens":32},"output_tokens":9,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":49}}}"""));

        var chunks = await CollectAsync(Backend(upstream), Request());

        Assert.Equal<ModelChunk>(
        [
            new PromptProcessed(0), new TextDelta("Let me check."), new ToolCallStart("call_9", "get_weather"),
            new ToolCallArgumentsDelta("{\"city\":"), new ToolCallArgumentsDelta("\"Paris\"}"), new ModelFinished(9, null, 0, 40, 32),
        ], chunks);
    }

    [Fact]
    public async Task StreamAsync_FullContext_SendsStoreFalseWithoutIdsOrReasoning()
    {
        var upstream = new ScriptedUpstream().Then(() => Events(
            """{"type":"response.completed","sequence_number":0,"response":{"id":"r","status":"completed","usage":{"input_tokens":1,"output_tokens":0}}}"""));
        ResponseItem[] items =
        [
            EngineTestKit.User("hi") with { Id = "msg_ours" },
            new ReasoningItem { Id = "rs_ours", EncryptedContent = "sim:xyz" },
            new FunctionCallItem { Id = "fc_ours", CallId = "c1", Name = "f", Arguments = "{}" },
            new FunctionCallOutputItem { CallId = "c1", Output = MessageContent.FromText("out") },
        ];

        await CollectAsync(Backend(upstream), Request(new CreateResponseRequest { Model = "m", Input = items, Store = true, PreviousResponseId = "resp_ours" }, items));

        var body = upstream.Bodies[0];
        Assert.Equal("http://upstream.test/v1/responses", upstream.Uris[0].ToString());
        Assert.False(body.GetProperty("store").GetBoolean());
        Assert.True(body.GetProperty("stream").GetBoolean());
        Assert.False(body.TryGetProperty("previous_response_id", out _));
        var input = body.GetProperty("input");
        Assert.Equal(3, input.GetArrayLength());
        Assert.All(input.EnumerateArray(), i => Assert.False(i.TryGetProperty("id", out _)));
    }

    [Fact]
    public async Task StreamAsync_ResponseFailed_FailsWith502AndTheUpstreamMessage()
    {
        var upstream = new ScriptedUpstream().Then(() => Events(
            """{"type":"response.created","sequence_number":0,"response":{"id":"r","status":"in_progress"}}""",
            """{"type":"response.failed","sequence_number":1,"response":{"id":"r","status":"failed","error":{"code":"server_error","message":"model crashed"}}}"""));

        var failed = Assert.IsType<ModelFailed>((await CollectAsync(Backend(upstream), Request()))[^1]);

        Assert.Equal(502, failed.Status);
        Assert.Contains("model crashed", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_BadRequest_KeepsStatusAndMessage()
    {
        var upstream = new ScriptedUpstream().Then(() => Json(400,
            """{"error":{"message":"Unsupported parameter: 'temperature'.","type":"invalid_request_error","param":"temperature","code":"unsupported_parameter"}}"""));

        var failed = Assert.IsType<ModelFailed>(Assert.Single(await CollectAsync(Backend(upstream), Request())));

        Assert.Equal((400, "unsupported_parameter"), (failed.Status, failed.Code));
        Assert.Contains("Unsupported parameter: 'temperature'.", failed.Message, StringComparison.Ordinal);
    }
}
