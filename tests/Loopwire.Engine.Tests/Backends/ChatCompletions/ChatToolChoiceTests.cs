using System.Text.Json;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Backends.ChatCompletions;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using static Loopwire.Engine.Tests.Backends.ScriptedUpstream;

namespace Loopwire.Engine.Tests.Backends.ChatCompletions;

/// <summary>Exact tool_choice, custom tools and reasoning effort through a chat upstream (a scripted fake).</summary>
public sealed class ChatToolChoiceTests
{
    private static readonly IReadOnlyList<ToolDefinition> Tools =
    [
        new() { Type = "function", Name = "get_weather", Parameters = Json("""{"type":"object","properties":{"city":{"type":"string"}}}""") },
        new() { Type = "function", Name = "get_time", Parameters = Json("""{"type":"object","properties":{}}""") },
        new() { Type = "custom", Name = "run_sql", Description = "Runs SQL." },
    ];

    private static ChatCompletionsBackend Backend(ScriptedUpstream upstream, UpstreamBackendOptions? options = null)
    {
        options ??= new UpstreamBackendOptions { BaseUrl = "http://upstream.test/v1", RetryDelayMilliseconds = 0 };
        return new("chat", options, Client(upstream, options, null), null);
    }

    private static string Chunk(string choice) =>
        $$"""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{{choice}}]}""";

    private static ScriptedUpstream TextUpstream() =>
        new ScriptedUpstream().Then(() => Sse(Chunk("""{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}"""), "[DONE]"));

    [Theory]
    [InlineData("\"none\"", "\"none\"", 3)]
    [InlineData("\"required\"", "\"required\"", 3)]
    [InlineData("""{"type":"custom","name":"run_sql"}""", """{"type":"function","function":{"name":"run_sql"}}""", 3)]
    [InlineData("""{"type":"allowed_tools","mode":"required","tools":[{"type":"function","name":"get_time"}]}""", "\"required\"", 1)]
    [InlineData("""{"type":"allowed_tools","mode":"auto","tools":[{"type":"function","name":"get_time"},{"type":"custom","name":"run_sql"}]}""", "\"auto\"", 2)]
    public async Task Build_ToolChoice_MapsToChatAndNarrowsTools(string choice, string expected, int toolCount)
    {
        var upstream = TextUpstream();
        var request = new CreateResponseRequest { Model = "m", Tools = Tools, ToolChoice = Json(choice) };

        await CollectAsync(Backend(upstream), Request(request));

        var body = upstream.Bodies[0];
        Assert.Equal(expected, body.GetProperty("tool_choice").GetRawText());
        Assert.Equal(toolCount, body.GetProperty("tools").GetArrayLength());
    }

    [Fact]
    public async Task Build_CustomTool_OfferedAsFunctionWithOneStringArgumentAndHistoryWrapped()
    {
        var upstream = TextUpstream();
        var request = new CreateResponseRequest { Model = "m", Tools = Tools, Reasoning = new ReasoningOptions { Effort = "high" } };

        await CollectAsync(Backend(upstream), Request(request,
            new MessageItem { Role = "user", Content = MessageContent.FromText("count") },
            new CustomToolCallItem { CallId = "c1", Name = "run_sql", Input = "SELECT \"x\"" },
            new CustomToolCallOutputItem { CallId = "c1", Output = MessageContent.FromText("1") }));

        var body = upstream.Bodies[0];
        var sql = body.GetProperty("tools")[2].GetProperty("function");
        Assert.Equal("run_sql", sql.GetProperty("name").GetString());
        Assert.Equal("string", sql.GetProperty("parameters").GetProperty("properties").GetProperty("input").GetProperty("type").GetString());
        var call = body.GetProperty("messages")[1].GetProperty("tool_calls")[0].GetProperty("function");
        Assert.Equal("SELECT \"x\"", JsonDocument.Parse(call.GetProperty("arguments").GetString()!).RootElement.GetProperty("input").GetString());
        Assert.Equal("high", body.GetProperty("reasoning_effort").GetString());
    }

    [Fact]
    public async Task Build_SendReasoningEffortOff_LeavesItOut()
    {
        var upstream = TextUpstream();
        var options = new UpstreamBackendOptions { BaseUrl = "http://upstream.test/v1", SendReasoningEffort = false };

        await CollectAsync(Backend(upstream, options), Request(new CreateResponseRequest { Model = "m", Reasoning = new ReasoningOptions { Effort = "low" } }));

        Assert.False(upstream.Bodies[0].TryGetProperty("reasoning_effort", out _));
    }

    [Fact]
    public async Task StreamAsync_CallToCustomTool_ComesBackAsCustomToolCallWithDecodedInput()
    {
        var upstream = new ScriptedUpstream().Then(() => Sse(
            Chunk("""{"index":0,"delta":{"tool_calls":[{"id":"call_9","type":"function","index":0,"function":{"name":"run_sql","arguments":"{\"inp"}}]}}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ut\":\"SELECT 1;\"}"}}]}}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"id":"call_10","type":"function","index":1,"function":{"name":"get_time","arguments":"{}"}}]}}"""),
            Chunk("""{"index":0,"delta":{},"finish_reason":"tool_calls"}"""),
            "[DONE]"));

        var chunks = await CollectAsync(Backend(upstream), Request(new CreateResponseRequest { Model = "m", Tools = Tools }));

        Assert.Equal<ModelChunk>(
            [new PromptProcessed(0), new CustomToolCallStart("call_9", "run_sql"), new CustomToolCallInputDelta("SELECT 1;"),
             new ToolCallStart("call_10", "get_time"), new ToolCallArgumentsDelta("{}")],
            chunks.Take(5).ToList());
        Assert.IsType<ModelFinished>(chunks[^1]);
    }

    private static JsonElement Json(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}
