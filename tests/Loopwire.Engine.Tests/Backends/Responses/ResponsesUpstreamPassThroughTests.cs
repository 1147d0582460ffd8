using System.Text;
using System.Text.Json;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Backends.Responses;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using static Loopwire.Engine.Tests.Backends.ScriptedUpstream;

namespace Loopwire.Engine.Tests.Backends.Responses;

/// <summary>Custom tools, refusals and reasoning through a Responses upstream (a scripted fake).</summary>
public sealed class ResponsesUpstreamPassThroughTests
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
            string type = JsonDocument.Parse(e).RootElement.GetProperty("type").GetString()!;
            sb.Append("event: ").Append(type).Append("\ndata: ").Append(e).Append("\n\n");
        }

        return Sse(ScriptStream.Of(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    private const string Completed =
        """{"type":"response.completed","response":{"id":"resp_up","status":"completed","usage":{"input_tokens":10,"output_tokens":5,"total_tokens":15}}}""";

    [Fact]
    public async Task StreamAsync_CustomToolCallStreamed_YieldsCustomChunks()
    {
        var upstream = new ScriptedUpstream().Then(() => Events(
            """{"type":"response.output_item.added","output_index":0,"item":{"id":"ctc_1","type":"custom_tool_call","call_id":"call_5","name":"apply_patch","input":""}}""",
            """{"type":"response.custom_tool_call_input.delta","output_index":0,"item_id":"ctc_1","delta":"*** Begin"}""",
            """{"type":"response.custom_tool_call_input.delta","output_index":0,"item_id":"ctc_1","delta":" Patch"}""",
            """{"type":"response.custom_tool_call_input.done","output_index":0,"item_id":"ctc_1","input":"*** Begin Patch"}""",
            """{"type":"response.output_item.done","output_index":0,"item":{"id":"ctc_1","type":"custom_tool_call","call_id":"call_5","name":"apply_patch","input":"*** Begin Patch"}}""",
            Completed));

        var chunks = await CollectAsync(Backend(upstream), Request());

        Assert.Equal<ModelChunk>(
        [
            new PromptProcessed(0), new CustomToolCallStart("call_5", "apply_patch"), new CustomToolCallInputDelta("*** Begin"),
            new CustomToolCallInputDelta(" Patch"), new ModelFinished(5, null, 0, 10, null),
        ], chunks);
    }

    [Fact]
    public async Task StreamAsync_CustomToolCallOnlyWhole_YieldsItsInputOnce()
    {
        var upstream = new ScriptedUpstream().Then(() => Events(
            """{"type":"response.output_item.done","output_index":0,"item":{"type":"custom_tool_call","call_id":"call_6","name":"sql","input":"SELECT 1"}}""",
            Completed));

        var chunks = await CollectAsync(Backend(upstream), Request());

        Assert.Equal<ModelChunk>(
            [new PromptProcessed(0), new CustomToolCallStart("call_6", "sql"), new CustomToolCallInputDelta("SELECT 1"), new ModelFinished(5, null, 0, 10, null)],
            chunks);
    }

    [Fact]
    public async Task StreamAsync_RefusalAndReasoning_StayRefusalAndReasoning()
    {
        var upstream = new ScriptedUpstream().Then(() => Events(
            """{"type":"response.output_item.added","output_index":0,"item":{"id":"rs_1","type":"reasoning","summary":[]}}""",
            """{"type":"response.reasoning_text.delta","output_index":0,"item_id":"rs_1","content_index":0,"delta":"thinking"}""",
            """{"type":"response.output_item.done","output_index":0,"item":{"id":"rs_1","type":"reasoning","summary":[],"encrypted_content":"gAAA-upstream"}}""",
            """{"type":"response.refusal.delta","output_index":1,"item_id":"msg_1","content_index":0,"delta":"I can't"}""",
            """{"type":"response.refusal.delta","output_index":1,"item_id":"msg_1","content_index":0,"delta":" help."}""",
            Completed));

        var chunks = await CollectAsync(Backend(upstream), Request());

        Assert.Equal<ModelChunk>(
        [
            new PromptProcessed(0), new ReasoningTextDelta("thinking"), new ReasoningEncryptedContent("gAAA-upstream"),
            new RefusalDelta("I can't"), new RefusalDelta(" help."), new ModelFinished(5, null, 0, 10, null),
        ], chunks);
    }

    [Fact]
    public async Task Build_IncludeAndItems_PassesIncludeUpstreamReasoningAndCustomToolItems()
    {
        var upstream = new ScriptedUpstream().Then(() => Events(Completed));
        var request = new CreateResponseRequest { Model = "m", Include = ["reasoning.encrypted_content"] };

        await CollectAsync(Backend(upstream), Request(request,
            new MessageItem { Role = "user", Content = MessageContent.FromText("patch it") },
            new ReasoningItem { Id = "rs_1", EncryptedContent = "gAAA-upstream" },
            new ReasoningItem { Id = "rs_2", EncryptedContent = "sim:b3Vycw==" },
            new CustomToolCallItem { Id = "ctc_1", CallId = "call_5", Name = "apply_patch", Input = "*** Begin Patch" },
            new CustomToolCallOutputItem { CallId = "call_5", Output = MessageContent.FromText("done") }));

        var body = upstream.Bodies[0];
        Assert.Equal("reasoning.encrypted_content", body.GetProperty("include")[0].GetString());
        var input = body.GetProperty("input").EnumerateArray().ToList();
        Assert.Equal(["message", "reasoning", "custom_tool_call", "custom_tool_call_output"], input.Select(i => i.GetProperty("type").GetString()));
        Assert.Equal("gAAA-upstream", input[1].GetProperty("encrypted_content").GetString());
        Assert.False(input[1].TryGetProperty("id", out _));
        Assert.Equal("*** Begin Patch", input[2].GetProperty("input").GetString());
        Assert.Equal("done", input[3].GetProperty("output").GetString());
    }
}
