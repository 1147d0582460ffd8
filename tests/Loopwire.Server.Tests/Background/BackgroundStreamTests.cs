using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Loopwire.Server.Tests.Http;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.Background.BackgroundHttp;

namespace Loopwire.Server.Tests.Background;

/// <summary><c>GET /v1/responses/{id}?stream=true&amp;starting_after=N</c>: replay and live follow of background responses.</summary>
public sealed class BackgroundStreamTests : IClassFixture<LoopwireFactory>
{
    private readonly LoopwireFactory _factory;
    private readonly HttpClient _client;

    public BackgroundStreamTests(LoopwireFactory factory, ITestOutputHelper output)
    {
        factory.Output = output;
        _factory = factory;
        _client = factory.CreateClient();
    }

    [Theory, InlineData(-1), InlineData(0), InlineData(3)]
    public async Task Get_StreamStartingAfter_ReplaysExactlyTheRest(int startingAfter)
    {
        using var post = await PostAsync(_client, Body(LoopwireFactory.Model, stream: true));
        await using var original = await OpenAsync(post);
        var all = await original.ReadToEndAsync();
        Assert.Equal("response.completed", all[^1].Type);
        string id = all[0].Json.GetProperty("response").Str("id");

        using var get = await StreamAgainAsync(_client, id, startingAfter < 0 ? null : startingAfter);
        await using var replay = await OpenAsync(get);
        var rest = await replay.ReadToEndAsync();

        Assert.Equal(all.Skip(startingAfter + 1).Select(e => (e.Name, e.Data)), rest.Select(e => (e.Name, e.Data)));
        AssertContiguous(rest, startingAfter + 1);
        var stored = await GetAsync(_client, id);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(rest[^1].Json.GetProperty("response").GetRawText()), JsonNode.Parse(stored.GetRawText())));
    }

    [Fact]
    public async Task Get_StreamFollowerJoinsMidRun_GetsTheRestLive()
    {
        using var post = await PostAsync(_client, Body(SlowModel, stream: true));
        await using var original = await OpenAsync(post);
        SseEvent e;
        do
        {
            e = (await original.NextAsync())!;
        }
        while (e.Type != "response.output_text.delta");

        int joinAfter = e.Json.GetProperty("sequence_number").GetInt32();
        string id = original.Events[0].Json.GetProperty("response").Str("id");
        using var get = await StreamAgainAsync(_client, id, joinAfter);
        await using var follower = await OpenAsync(get);
        var followed = await follower.ReadToEndAsync();
        var all = await original.ReadToEndAsync();

        Assert.Equal("response.completed", followed[^1].Type);
        AssertContiguous(all, 0);
        Assert.Equal(all.Skip(joinAfter + 1).Select(x => x.Data), followed.Select(x => x.Data));
    }

    [Fact]
    public async Task Get_StreamNonBackground_Returns400()
    {
        var turn = await ResponsesHttp.CreateAsync(_client, ResponsesHttp.Request("Plain."), stream: false);

        using var get = await StreamAgainAsync(_client, turn.Id, 0);

        var error = await ResponsesHttp.AssertErrorAsync(get, HttpStatusCode.BadRequest, param: "stream");
        Assert.Contains("only background responses can be streamed again", error.Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_StreamUnknownId_Returns404()
    {
        using var get = await StreamAgainAsync(_client, "resp_0123456789abcdef0123456789abcdef0123456789abcdef", 0);

        await ResponsesHttp.AssertErrorAsync(get, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Get_StreamInvalidStartingAfter_Returns400()
    {
        var created = await CreateAsync(_client, LoopwireFactory.Model);

        using var bad = await _client.GetAsync(new Uri($"/v1/responses/{created.Str("id")}?stream=true&starting_after=-5", UriKind.Relative));

        await ResponsesHttp.AssertErrorAsync(bad, HttpStatusCode.BadRequest, param: "starting_after");
    }

    [Fact]
    public async Task Get_StreamBeforeBufferedEvents_Returns400NamingLimit()
    {
        using var small = _factory.WithSettings(("Loopwire:Background:MaxBufferedEvents", "8"));
        var client = small.CreateClient();
        string id = (await CreateAsync(client, LoopwireFactory.Model)).Str("id");
        var ended = await WaitUntilStreamEndedAsync(client, id);
        Assert.Contains("past the last event", ended.Str("message"), StringComparison.Ordinal);

        using var tooOld = await StreamAgainAsync(client, id, 0);
        var error = await ResponsesHttp.AssertErrorAsync(tooOld, HttpStatusCode.BadRequest, "starting_after_out_of_range", "starting_after");
        Assert.Contains("Loopwire:Background:MaxBufferedEvents", error.Str("message"), StringComparison.Ordinal);
        using var all = await StreamAgainAsync(client, id, null);
        await ResponsesHttp.AssertErrorAsync(all, HttpStatusCode.BadRequest, "starting_after_out_of_range");

        int oldest = int.Parse(error.Str("message").Split("'starting_after' >= ")[1].Split(',')[0], CultureInfo.InvariantCulture);
        using var tail = await StreamAgainAsync(client, id, oldest);
        await using var reader = await OpenAsync(tail);
        var events = await reader.ReadToEndAsync();
        Assert.Equal(8, events.Count);
        AssertContiguous(events, oldest + 1);
        Assert.Equal("response.completed", events[^1].Type);
    }

    [Fact]
    public async Task Get_StreamAfterRetention_Returns400NamingRetention()
    {
        using var forgetful = _factory.WithSettings(("Loopwire:Background:Retention", "00:00:00"));
        var client = forgetful.CreateClient();
        string id = (await CreateAsync(client, LoopwireFactory.Model)).Str("id");

        var ended = await WaitUntilStreamEndedAsync(client, id);

        Assert.Equal("stream_expired", ended.Str("code"));
        Assert.Contains("Loopwire:Background:Retention", ended.Str("message"), StringComparison.Ordinal);
        Assert.Equal("completed", (await GetAsync(client, id)).Str("status"));
    }
}
