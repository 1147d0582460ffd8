using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.Engine;
using Loopwire.Engine.Stores;
using Loopwire.Server.Tests.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.Http.ResponsesHttp;

namespace Loopwire.Server.Tests.Http;

/// <summary>The Conversations API and the <c>conversation</c> parameter, over HTTP and WebSocket, against a started server.</summary>
public sealed class ConversationTests : IClassFixture<LoopwireFactory>
{
    private readonly LoopwireFactory _factory;
    private readonly HttpClient _client;

    public ConversationTests(LoopwireFactory factory, ITestOutputHelper output)
    {
        factory.Output = output;
        _factory = factory;
        _client = factory.CreateClient();
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task Create_WithConversation_PrependsItemsAppendsTurnAndEchoes(bool streaming)
    {
        string conv = await CreateConversationAsync(new JsonArray(UserMessage("Remember the number 42.")));

        var body = Request(new JsonArray(UserMessage("What was the number?")));
        body["conversation"] = conv;
        var turn = await CreateAsync(_client, body, streaming);

        Assert.Equal(conv, turn.Response.GetProperty("conversation").GetProperty("id").GetString());
        var items = await ListAsync(conv, "?order=asc");
        Assert.Equal(["message", "message", "message"], items.GetProperty("data").EnumerateArray().Select(i => i.Str("type")));
        Assert.Equal(["user", "user", "assistant"], items.GetProperty("data").EnumerateArray().Select(i => i.Str("role")));
        var outputId = Assert.Single(turn.Output.EnumerateArray()).Str("id");
        Assert.Equal(outputId, items.GetProperty("last_id").GetString());

        // The second turn sees the first: more input tokens than the first turn's input and output together.
        var next = Request(new JsonArray(UserMessage("And again?")));
        next["conversation"] = new JsonObject { ["id"] = conv };
        var second = await CreateAsync(_client, next, streaming);
        Assert.True(second.Usage.GetProperty("input_tokens").GetInt32() > turn.Usage.GetProperty("total_tokens").GetInt32());
        Assert.Equal(5, (await ListAsync(conv, "")).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Create_ConversationAndPreviousResponseId_Is400()
    {
        string conv = await CreateConversationAsync([]);
        var body = Request(new JsonArray(UserMessage("hi")));
        body["conversation"] = conv;
        body["previous_response_id"] = "resp_abc";

        var (status, error) = await PostErrorAsync("/v1/responses", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("conversation", error.Str("param"));
        Assert.Equal("mutually_exclusive_parameters", error.Str("code"));
    }

    [Fact]
    public async Task Create_ConversationInUse_Is400ConversationLocked()
    {
        string conv = await CreateConversationAsync([]);
        var store = (IConversationStore)_factory.Services.GetRequiredService<ResponseEngine>().Store;
        var time = _factory.Services.GetRequiredService<TimeProvider>();
        Assert.Equal(ConversationLockResult.Acquired,
            await store.TryLockConversationAsync(conv, null, "another-response", time.GetUtcNow(), TimeSpan.FromMinutes(5)));
        var body = Request(new JsonArray(UserMessage("hi")));
        body["conversation"] = conv;

        var (status, error) = await PostErrorAsync("/v1/responses", body);
        await store.UnlockConversationAsync(conv, "another-response");
        var after = await CreateAsync(_client, body, stream: false);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("conversation_locked", error.Str("code"));
        Assert.Equal("conversation", error.Str("param"));
        Assert.Equal("completed", after.Response.Str("status"));
        Assert.Equal(2, (await ListAsync(conv, "")).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Create_UnknownConversation_Is404()
    {
        var body = Request(new JsonArray(UserMessage("hi")));
        body["conversation"] = "conv_nope";

        var (status, error) = await PostErrorAsync("/v1/responses", body);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("conversation", error.Str("param"));
    }

    [Fact]
    public async Task Items_ListDefaults_DescLimit20WithPaging()
    {
        var items = new JsonArray();
        for (int i = 0; i < 20; i++)
        {
            items.Add(UserMessage($"message {i}"));
        }

        string conv = await CreateConversationAsync(items);
        using (var add = await _client.PostAsync(new Uri($"/v1/conversations/{conv}/items", UriKind.Relative),
            Content(new JsonObject { ["items"] = new JsonArray(UserMessage("message 20"), UserMessage("message 21")) }.ToJsonString())))
        {
            Assert.Equal(HttpStatusCode.OK, add.StatusCode);
            Assert.Equal(2, (await ReadJsonAsync(add)).GetProperty("data").GetArrayLength());
        }

        var first = await ListAsync(conv, "");
        var data = first.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(20, data.Count);
        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.Equal("message 21", data[0].GetProperty("content").GetString());
        var rest = await ListAsync(conv, "?after=" + first.GetProperty("last_id").GetString());
        Assert.False(rest.GetProperty("has_more").GetBoolean());
        Assert.Equal(["message 1", "message 0"], rest.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("content").GetString()));

        using var bad = await _client.GetAsync(new Uri($"/v1/conversations/{conv}/items?limit=101", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Conversation_RetrieveUpdateDeleteAndItemCalls_Work()
    {
        string conv = await CreateConversationAsync(new JsonArray(UserMessage("one"), UserMessage("two")), new JsonObject { ["a"] = "1" });
        string itemId = (await ListAsync(conv, "?order=asc")).GetProperty("data")[0].Str("id");

        using (var get = await _client.GetAsync(new Uri($"/v1/conversations/{conv}", UriKind.Relative)))
        {
            var c = await ReadJsonAsync(get);
            Assert.Equal("conversation", c.Str("object"));
            Assert.Equal("1", c.GetProperty("metadata").Str("a"));
        }

        using (var update = await _client.PostAsync(new Uri($"/v1/conversations/{conv}", UriKind.Relative), Content("""{"metadata":{"b":"2"}}""")))
        {
            Assert.Equal("2", (await ReadJsonAsync(update)).GetProperty("metadata").Str("b"));
        }

        using (var item = await _client.GetAsync(new Uri($"/v1/conversations/{conv}/items/{itemId}", UriKind.Relative)))
        {
            Assert.Equal("one", (await ReadJsonAsync(item)).GetProperty("content").GetString());
        }

        using (var del = await _client.DeleteAsync(new Uri($"/v1/conversations/{conv}/items/{itemId}", UriKind.Relative)))
        {
            Assert.Equal(conv, (await ReadJsonAsync(del)).Str("id"));
        }

        Assert.Equal(1, (await ListAsync(conv, "")).GetProperty("data").GetArrayLength());
        using (var gone = await _client.GetAsync(new Uri($"/v1/conversations/{conv}/items/{itemId}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        using (var delete = await _client.DeleteAsync(new Uri($"/v1/conversations/{conv}", UriKind.Relative)))
        {
            var d = await ReadJsonAsync(delete);
            Assert.Equal("conversation.deleted", d.Str("object"));
            Assert.True(d.GetProperty("deleted").GetBoolean());
        }

        using var missing = await _client.GetAsync(new Uri($"/v1/conversations/{conv}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("""{"items":"nope"}""", "items")]
    [InlineData("""{"items":[{"type":"message","role":"pilot","content":"x"}]}""", "items[0].role")]
    [InlineData("""{"metadata":{"k":1}}""", "metadata.k")]
    public async Task CreateConversation_BadBody_Is400NamingTheParam(string json, string param)
    {
        using var http = await _client.PostAsync(new Uri("/v1/conversations", UriKind.Relative), Content(json));

        Assert.Equal(HttpStatusCode.BadRequest, http.StatusCode);
        Assert.Equal(param, (await ReadJsonAsync(http)).GetProperty("error").Str("param"));
    }

    [Fact]
    public async Task WebSocket_CreateWithConversation_AppendsAndEchoes()
    {
        string conv = await CreateConversationAsync(new JsonArray(UserMessage("Remember 7.")));
        await using var ws = new WsTestClient(await _factory.ConnectWebSocketAsync());
        var body = WsJson.Request(LoopwireFactory.Model, false, WsJson.Items(WsJson.User("What was it?")));
        body["conversation"] = conv;

        var events = await ws.RunAsync(body);
        var both = WsJson.Request(LoopwireFactory.Model, false, WsJson.Items(WsJson.User("x")), previousResponseId: "resp_x");
        both["conversation"] = conv;
        var error = WsJson.Last(await ws.RunAsync(both));

        Assert.Equal("response.completed", WsTestClient.Type(WsJson.Last(events)));
        Assert.Equal(conv, WsJson.Response(WsJson.Last(events)).GetProperty("conversation").Str("id"));
        Assert.Equal(3, (await ListAsync(conv, "")).GetProperty("data").GetArrayLength());
        Assert.Equal("error", WsTestClient.Type(error));
        Assert.Equal("mutually_exclusive_parameters", WsJson.Code(error));
    }

    private async Task<string> CreateConversationAsync(JsonArray items, JsonObject? metadata = null)
    {
        var body = new JsonObject { ["items"] = items };
        if (metadata is not null)
        {
            body["metadata"] = metadata;
        }

        using var http = await _client.PostAsync(new Uri("/v1/conversations", UriKind.Relative), Content(body.ToJsonString()));
        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        var c = await ReadJsonAsync(http);
        Assert.Equal("conversation", c.Str("object"));
        return c.Str("id");
    }

    private async Task<JsonElement> ListAsync(string conv, string query)
    {
        using var http = await _client.GetAsync(new Uri($"/v1/conversations/{conv}/items{query}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        return await ReadJsonAsync(http);
    }

    private async Task<(HttpStatusCode Status, JsonElement Error)> PostErrorAsync(string path, JsonObject body)
    {
        using var http = await _client.PostAsync(new Uri(path, UriKind.Relative), Content(body.ToJsonString()));
        return (http.StatusCode, (await ReadJsonAsync(http)).GetProperty("error"));
    }
}
