using System.Text;
using System.Text.Json;
using Loopwire.Server.Tests.WebSockets;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Upstream;

/// <summary>Loopwire's own <c>/v1/chat/completions</c> on the simulated model.</summary>
public sealed class ChatCompletionsEndpointTests(ITestOutputHelper output)
{
    private const string Tools = """[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]""";

    private static async Task<HttpResponseMessage> PostAsync(LoopbackApp app, string json) =>
        await app.Client.PostAsync("/v1/chat/completions", new StringContent(json, Encoding.UTF8, "application/json"), WsTestHost.GuardToken());

    [Fact]
    public async Task ChatCompletions_StreamWithUsage_SendsRoleDeltasFinishUsageAndDone()
    {
        await using var app = await LoopbackApp.StartLoopwireAsync(output);

        using var response = await PostAsync(app,
            """{"model":"sim-instant","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hello"}],"stream":true,"stream_options":{"include_usage":true}}""");
        var events = await LoopbackApp.ReadSseAsync(response);

        Assert.Equal("[DONE]", events[^1].GetString());
        var chunks = events[..^1];
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Contains(chunks, c => c.GetProperty("choices").GetArrayLength() == 1
            && c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var t) && t.GetString()!.Length > 0);
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        Assert.True(chunks[^1].GetProperty("usage").GetProperty("prompt_tokens").GetInt32() > 0);
        Assert.True(chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task ChatCompletions_ToolRoundTrip_ReturnsToolCallsThenAnAnswer()
    {
        await using var app = await LoopbackApp.StartLoopwireAsync(output);

        using var first = await PostAsync(app, $$"""{"model":"sim-instant","messages":[{"role":"user","content":"Call get_weather for Paris."}],"tools":{{Tools}}}""");
        var body = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("message").GetProperty("content").ValueKind);
        var call = choice.GetProperty("message").GetProperty("tool_calls")[0];
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());

        string callJson = call.GetRawText();
        using var second = await PostAsync(app, $$"""
            {"model":"sim-instant","tools":{{Tools}},"messages":[
              {"role":"user","content":"Call get_weather for Paris."},
              {"role":"assistant","content":null,"tool_calls":[{{callJson}}]},
              {"role":"tool","tool_call_id":"{{call.GetProperty("id").GetString()}}","content":"sunny"}]}
            """);
        var answer = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("choices")[0];

        Assert.Equal("stop", answer.GetProperty("finish_reason").GetString());
        Assert.StartsWith("The tool returned: sunny", answer.GetProperty("message").GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatCompletions_NoMessages_Answers400()
    {
        await using var app = await LoopbackApp.StartLoopwireAsync(output);

        using var response = await PostAsync(app, """{"model":"sim-instant"}""");

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("messages", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
