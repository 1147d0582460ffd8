using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.Compaction.CompactionHttp;
using static Loopwire.Server.Tests.Http.ResponsesHttp;

namespace Loopwire.Server.Tests.Compaction;

/// <summary>Compaction on create: the <c>compaction_trigger</c> item and <c>context_management</c>.</summary>
public sealed class CompactOnCreateTests : IClassFixture<LoopwireFactory>
{
    private readonly HttpClient _client;

    public CompactOnCreateTests(LoopwireFactory factory, ITestOutputHelper output)
    {
        factory.Output = output;
        _client = factory.CreateClient();
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task CompactionTrigger_Last_OutputIsExactlyOneCompactionItem(bool streaming)
    {
        var input = History(2);
        input.Add(new JsonObject { ["type"] = "compaction_trigger" });
        var turn = await CreateAsync(_client, Request(input), streaming);

        var item = Assert.Single(turn.Output.EnumerateArray());
        Assert.Equal("compaction", item.GetProperty("type").GetString());
        Assert.Equal("completed", turn.Response.GetProperty("status").GetString());
        if (streaming)
        {
            var done = turn.Events.Where(e => e.Type == "response.output_item.done").ToList();
            Assert.Equal("compaction", Assert.Single(done).Json.GetProperty("item").GetProperty("type").GetString());
            var types = turn.Events.Select(e => e.Type).ToList();
            int compacting = types.IndexOf("response.compaction.compacting");
            Assert.True(compacting >= 0 && compacting < types.IndexOf("response.output_item.done"));
        }

        // As Codex does: the retained user messages plus that item start a new chain.
        var next = new JsonArray(UserMessage("Fix the failing test in calc.py, please."), JsonNode.Parse(item.GetRawText()), UserMessage("Continue."));
        var continued = await CreateAsync(_client, Request(next), streaming);
        Assert.Equal("completed", continued.Response.GetProperty("status").GetString());
    }

    [Fact]
    public async Task CompactionTrigger_NotLast_400NamingTheItem()
    {
        var input = new JsonArray(UserMessage("hi"), new JsonObject { ["type"] = "compaction_trigger" }, UserMessage("there"));
        using var content = Content(Request(input).ToJsonString());
        using var http = await _client.PostAsync(new Uri("/v1/responses", UriKind.Relative), content);
        var error = await AssertErrorAsync(http, HttpStatusCode.BadRequest, "invalid_value", "input[1]");
        Assert.Contains("must be the final input item", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task ContextManagement_OverThreshold_CompactsThenAnswersFromTheCompactedContext(bool streaming)
    {
        var body = Request(History(8));
        body["context_management"] = new JsonArray(new JsonObject { ["type"] = "compaction", ["compact_threshold"] = 200 });
        int before = await InputTokensAsync(_client, Request(History(8)));
        var turn = await CreateAsync(_client, body, streaming);

        var output = turn.Output.EnumerateArray().ToList();
        Assert.Equal("compaction", output[0].GetProperty("type").GetString());
        Assert.Equal("message", output[^1].GetProperty("type").GetString());
        Assert.Single(output, i => i.GetProperty("type").GetString() == "compaction");
        int after = turn.Usage.GetProperty("input_tokens").GetInt32();
        Assert.True(after < before, $"the model must sample from the compacted context: {before} -> {after}");
        if (streaming)
        {
            var types = turn.Events.Select(e => e.Type).ToList();
            int compacting = types.IndexOf("response.compaction.compacting");
            Assert.True(compacting > types.IndexOf("response.in_progress"));
            var compactingEvent = turn.Events[compacting].Json;
            Assert.Equal(output[0].GetProperty("id").GetString(), compactingEvent.GetProperty("item_id").GetString());
            Assert.Equal(0, compactingEvent.GetProperty("output_index").GetInt32());
        }

        // Chained on, the compaction supersedes the folded items: the next turn stays small.
        var next = Request(new JsonArray(UserMessage("Thanks.")));
        next["previous_response_id"] = turn.Id;
        var chained = await CreateAsync(_client, next, streaming);
        Assert.DoesNotContain(chained.Output.EnumerateArray(), i => i.GetProperty("type").GetString() == "compaction");
        Assert.True(chained.Usage.GetProperty("input_tokens").GetInt32() < before);
    }

    [Fact]
    public async Task ContextManagement_UnderThreshold_DoesNotCompact()
    {
        var body = Request(History(1));
        body["context_management"] = new JsonArray(new JsonObject { ["type"] = "compaction" });
        var turn = await CreateAsync(_client, body, stream: false);
        Assert.DoesNotContain(turn.Output.EnumerateArray(), i => i.GetProperty("type").GetString() == "compaction");
    }

    [Theory]
    [InlineData("""[{"type":"summarize"}]""", "context_management[0].type")]
    [InlineData("""[{"type":"compaction","compact_threshold":0}]""", "context_management[0].compact_threshold")]
    [InlineData("""[{}]""", "context_management[0].type")]
    public async Task ContextManagement_Invalid_400NamingTheField(string value, string param)
    {
        var body = Request("hi");
        body["context_management"] = JsonNode.Parse(value);
        using var content = Content(body.ToJsonString());
        using var http = await _client.PostAsync(new Uri("/v1/responses", UriKind.Relative), content);
        await AssertErrorAsync(http, HttpStatusCode.BadRequest, param: param);
    }
}
