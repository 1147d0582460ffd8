using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.Server.Tests.Upstream;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.Compaction.CompactionHttp;

namespace Loopwire.Server.Tests.Compaction;

/// <summary>Compaction through upstream backends: a Responses upstream compacts itself; a chat upstream is asked for a summary.</summary>
public sealed class UpstreamCompactionTests(ITestOutputHelper output)
{
    private const string Summary = "The user asked to fix calc.py; add() subtracts; the fix is pending.";

    [Fact]
    public async Task ResponsesUpstream_Compact_PassesTheUpstreamsItemThroughAndBack()
    {
        await using var upstream = await LoopbackApp.StartLoopwireAsync(output);
        await using var downstream = await LoopbackApp.StartLoopwireAsync(output,
            ("Loopwire:Backends:up:Type", "responses"), ("Loopwire:Backends:up:BaseUrl", upstream.V1), ("Loopwire:ModelRoutes:0", "llama*=up"));

        var compacted = await CompactAsync(downstream.Client, new JsonObject { ["model"] = "llama-test", ["input"] = History(2) });
        var items = compacted.GetProperty("output").EnumerateArray().ToList();
        var item = items[^1];
        Assert.Equal("compaction", item.GetProperty("type").GetString());
        Assert.Equal("llama-test", item.GetProperty("created_by").GetString());

        // The upstream made (and can open) the item; the gateway passes it back unopened on a new chain.
        var input = AsInput(compacted.GetProperty("output"));
        input.Add(Http.ResponsesHttp.UserMessage("Continue."));
        var (status, response, _) = await downstream.PostResponseAsync(new JsonObject { ["model"] = "llama-test", ["input"] = input }, stream: true);
        Assert.True(status == 200, response.ToString());
        Assert.Equal("completed", response.GetProperty("status").GetString());
        var turns = await upstream.TurnsAsync();
        Assert.NotEmpty(turns);
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task ChatUpstream_Compact_AsksForASummarySealsItAndSendsItBack(bool streaming)
    {
        var bodies = new ConcurrentQueue<JsonElement>();
        await using var upstream = await LoopbackApp.StartFakeAsync(app => app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            var body = JsonDocument.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync()).RootElement.Clone();
            bodies.Enqueue(body);
            string text = body.GetProperty("messages").EnumerateArray().Last().GetProperty("content").GetString()!
                .StartsWith("Summarize the conversation", StringComparison.Ordinal) ? Summary : "Done.";
            context.Response.ContentType = "text/event-stream";
            string chunk = JsonSerializer.Serialize(new { id = "c1", @object = "chat.completion.chunk", choices = new[] { new { index = 0, delta = new { role = "assistant", content = text } } } });
            await context.Response.WriteAsync($"data: {chunk}\n\n");
            await context.Response.WriteAsync("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":12,\"total_tokens\":62}}\n\n");
            await context.Response.WriteAsync("data: [DONE]\n\n");
        }));
        await using var downstream = await LoopbackApp.StartLoopwireAsync(output,
            ("Loopwire:Backends:up:Type", "chat"), ("Loopwire:Backends:up:BaseUrl", upstream.V1), ("Loopwire:ModelRoutes:0", "llama*=up"));

        var compacted = await CompactAsync(downstream.Client, new JsonObject { ["model"] = "llama-test", ["input"] = History(2) });
        var item = compacted.GetProperty("output").EnumerateArray().Last();
        Assert.StartsWith("lwdp1.", item.GetProperty("encrypted_content").GetString(), StringComparison.Ordinal);
        Assert.Equal(12, compacted.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        var asked = bodies.Last().GetProperty("messages").EnumerateArray().ToList();
        Assert.Contains(asked, m => m.GetProperty("role").GetString() == "tool");
        Assert.False(bodies.Last().TryGetProperty("tools", out var tools) && tools.GetArrayLength() > 0);

        var input = AsInput(compacted.GetProperty("output"));
        input.Add(Http.ResponsesHttp.UserMessage("Continue."));
        var (status, response, _) = await downstream.PostResponseAsync(new JsonObject { ["model"] = "llama-test", ["input"] = input }, streaming);
        Assert.True(status == 200, response.ToString());
        Assert.Equal("completed", response.GetProperty("status").GetString());

        // The chat model sees the opened summary as a user message, never the sealed text, and no tool messages.
        var sent = bodies.Last().GetProperty("messages").EnumerateArray().ToList();
        Assert.DoesNotContain(sent, m => m.GetProperty("role").GetString() == "tool");
        var summary = Assert.Single(sent, m => m.GetProperty("content").ValueKind == JsonValueKind.String
            && m.GetProperty("content").GetString()!.StartsWith("Summary of the earlier conversation", StringComparison.Ordinal));
        Assert.Equal("user", summary.GetProperty("role").GetString());
        Assert.EndsWith(Summary, summary.GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(sent, m => m.GetProperty("content").ValueKind == JsonValueKind.String
            && m.GetProperty("content").GetString()!.Contains("lwdp1.", StringComparison.Ordinal));
    }
}
