using System.Net;
using System.Text.Json.Nodes;
using Loopwire.Server.Tests.Http;
using Loopwire.TestKit;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.Background.BackgroundHttp;

namespace Loopwire.Server.Tests.Background;

/// <summary><c>background: true</c> over HTTP: create, poll, cancel.</summary>
public sealed class BackgroundResponseTests : IClassFixture<LoopwireFactory>
{
    /// <summary>One model-millisecond per real 5 ms at most: the answer (about a second of decoding) cannot finish while the
    /// test reads its first delta, however late that read is.</summary>
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(1);
    private readonly HttpClient _client;
    private readonly ITestOutputHelper _output;

    public BackgroundResponseTests(LoopwireFactory factory, ITestOutputHelper output)
    {
        _output = output;
        factory.Output = output;
        _client = factory.CreateClient();
    }

    [Fact]
    public async Task Create_Background_ReturnsQueuedThenCompletesOnPolling()
    {
        var created = await CreateAsync(_client, SlowModel);

        Assert.Equal("queued", created.Str("status"));
        Assert.True(created.GetProperty("background").GetBoolean());
        Assert.Empty(created.GetProperty("output").EnumerateArray());
        var (statuses, final) = await PollAsync(_client, created.Str("id"));
        Assert.Equal("completed", statuses[^1]);
        Assert.All(statuses[..^1], s => Assert.Contains(s, new[] { "queued", "in_progress" }));
        Assert.True(final.GetProperty("background").GetBoolean());
        Assert.NotEmpty(final.GetProperty("output").EnumerateArray());
        Assert.True(final.GetProperty("usage").GetProperty("output_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task Create_BackgroundWithStoreFalse_Returns400NamingBoth()
    {
        using var http = await PostAsync(_client, Body(LoopwireFactory.Model, stream: false, store: false));

        var error = await ResponsesHttp.AssertErrorAsync(http, HttpStatusCode.BadRequest, param: "background");
        Assert.Contains("'background'", error.Str("message"), StringComparison.Ordinal);
        Assert.Contains("'store'", error.Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_BackgroundStreamClientDrops_GenerationCompletes()
    {
        string id;
        using (var http = await PostAsync(_client, Body(SlowModel, stream: true)))
        {
            await using var reader = await OpenAsync(http);
            var first = await reader.NextAsync();
            Assert.Equal("response.created", first!.Type);
            id = first.Json.GetProperty("response").Str("id");
        }

        var (statuses, final) = await PollAsync(_client, id);

        Assert.Equal("completed", statuses[^1]);
        Assert.NotEmpty(final.GetProperty("output").EnumerateArray());
    }

    [Fact]
    public async Task Cancel_RunningBackground_ReturnsCancelledAndStopsGeneration()
    {
        // The model runs on a fake clock that stands still while the test cancels: the run is mid-answer, whatever the load.
        var time = new FakeTimeProvider();
        await using var host = new LoopwireTestHost(new Dictionary<string, string> { ["Loopwire:DefaultModelProfile"] = LoopwireFactory.Model }, time, _output);
        using var client = host.CreateClient();
        using var http = await time.AdvanceUntilDoneAsync(PostAsync(client, Body(SlowModel, stream: true)), Step);
        await using var reader = await OpenAsync(http);
        string id = (await time.AdvanceUntilDoneAsync(reader.NextAsync(), Step))!.Json.GetProperty("response").Str("id");
        while ((await time.AdvanceUntilDoneAsync(reader.NextAsync(), Step))!.Type != "response.output_text.delta")
        {
        }

        using var cancel = await time.AdvanceUntilDoneAsync(CancelAsync(client, id), Step);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var cancelled = await ResponsesHttp.ReadJsonAsync(cancel);
        Assert.Equal("cancelled", cancelled.Str("status"));
        Assert.Equal(id, cancelled.Str("id"));
        var events = await time.AdvanceUntilDoneAsync(reader.ReadToEndAsync(), Step);
        Assert.Equal("error", events[^1].Type);
        Assert.Equal("response_cancelled", events[^1].Json.Str("code"));
        Assert.DoesNotContain(events, e => e.Type == "response.completed");
        AssertContiguous(events, 0);
        Assert.Equal("cancelled", (await time.AdvanceUntilDoneAsync(GetAsync(client, id), Step)).Str("status"));
    }

    [Fact]
    public async Task Cancel_FinishedBackground_ReturnsItUnchanged()
    {
        var created = await CreateAsync(_client, LoopwireFactory.Model);
        var (_, final) = await PollAsync(_client, created.Str("id"));

        using var cancel = await CancelAsync(_client, created.Str("id"));

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var body = await ResponsesHttp.ReadJsonAsync(cancel);
        Assert.Equal("completed", body.Str("status"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(final.GetRawText()), JsonNode.Parse(body.GetRawText())));
    }

    [Fact]
    public async Task Cancel_NonBackground_Returns400()
    {
        var turn = await ResponsesHttp.CreateAsync(_client, ResponsesHttp.Request("Not in the background."), stream: false);

        using var cancel = await CancelAsync(_client, turn.Id);

        var error = await ResponsesHttp.AssertErrorAsync(cancel, HttpStatusCode.BadRequest);
        Assert.Contains("background", error.Str("message"), StringComparison.Ordinal);
    }
}
