using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.Http.ResponsesHttp;

namespace Loopwire.Server.Tests.Http;

public sealed class StoredResponseTests : IClassFixture<LoopwireFactory>
{
    private static readonly string[] Texts = ["one", "two", "three", "four", "five"];

    private readonly LoopwireFactory _factory;
    private readonly HttpClient _client;

    public StoredResponseTests(LoopwireFactory factory, ITestOutputHelper output)
    {
        factory.Output = output;
        _factory = factory;
        _client = factory.CreateClient();
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task Get_StoredResponse_ReturnsWhatPostReturned(bool streaming)
    {
        var turn = await CreateAsync(_client, Request("Store this."), streaming);

        using var get = await _client.GetAsync(Url(turn.Id));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var stored = await ReadJsonAsync(get);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(turn.Response.GetRawText()), JsonNode.Parse(stored.GetRawText())),
            $"POST {turn.Response.GetRawText()}\n!= GET {stored.GetRawText()}");
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task Get_SqliteStore_ReturnsWhatPostReturnedAndChains(bool streaming)
    {
        string path = Path.Combine(Path.GetTempPath(), $"loopwire-itest-{Guid.NewGuid():N}.db");
        try
        {
            using (var sqlite = _factory.WithSettings(("Loopwire:Store", "sqlite:" + path)))
            {
                using var client = sqlite.CreateClient();
                var body = Request(new JsonArray(UserMessage($"Use {WeatherTool} for Bern.")));
                body["instructions"] = new JsonArray(new JsonObject { ["role"] = "developer", ["content"] = "Be brief." });
                body["tools"] = Tools();
                body["metadata"] = new JsonObject { ["k"] = "v" };
                body["temperature"] = 0.5;
                var turn = await CreateAsync(client, body, streaming);

                using var get = await client.GetAsync(Url(turn.Id));
                Assert.Equal(HttpStatusCode.OK, get.StatusCode);
                var stored = await ReadJsonAsync(get);
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(turn.Response.GetRawText()), JsonNode.Parse(stored.GetRawText())),
                    $"POST {turn.Response.GetRawText()}\n!= GET {stored.GetRawText()}");

                var next = Request(new JsonArray(ToolOutput(turn.Output[0].Str("call_id"), "Snow.")));
                next["previous_response_id"] = turn.Id;
                next["tools"] = Tools();
                var answer = await CreateAsync(client, next, streaming);
                Assert.Contains("Snow.", answer.Output[0].Text(), StringComparison.Ordinal);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(path);
        }
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task Delete_StoredResponse_ReturnsDeletedAndForgetsIt(bool streaming)
    {
        var turn = await CreateAsync(_client, Request("Delete me later."), streaming);

        using var delete = await _client.DeleteAsync(Url(turn.Id));

        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        var body = await ReadJsonAsync(delete);
        Assert.Equal(turn.Id, body.Str("id"));
        Assert.Equal("response.deleted", body.Str("object"));
        Assert.True(body.GetProperty("deleted").GetBoolean());

        using var get = await _client.GetAsync(Url(turn.Id));
        Assert.Contains(turn.Id, (await AssertErrorAsync(get, HttpStatusCode.NotFound)).Str("message"), StringComparison.Ordinal);
        using var again = await _client.DeleteAsync(Url(turn.Id));
        await AssertErrorAsync(again, HttpStatusCode.NotFound);
        using var items = await _client.GetAsync(Url(turn.Id, "/input_items"));
        await AssertErrorAsync(items, HttpStatusCode.NotFound);

        var next = Request("And then?");
        next["previous_response_id"] = turn.Id;
        using var content = Content(next.ToJsonString());
        using var chained = await _client.PostAsync(new Uri("/v1/responses", UriKind.Relative), content);
        await AssertErrorAsync(chained, HttpStatusCode.BadRequest, "previous_response_not_found", "previous_response_id");
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("DELETE", "")]
    [InlineData("GET", "/input_items")]
    [InlineData("POST", "/cancel")]
    public async Task Request_UnknownId_Returns404WithErrorShape(string method, string suffix)
    {
        const string Id = "resp_0123456789abcdef0123456789abcdef0123456789abcdef";
        using var request = new HttpRequestMessage(new HttpMethod(method), Url(Id, suffix));

        using var http = await _client.SendAsync(request);

        var error = await AssertErrorAsync(http, HttpStatusCode.NotFound);
        Assert.Contains(Id, error.Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InputItems_Default_ListsAllNewestFirst()
    {
        string id = await CreateFiveItemResponseAsync();

        var page = await GetPageAsync(id, "");

        Assert.Equal("list", page.Str("object"));
        Assert.False(page.GetProperty("has_more").GetBoolean());
        var data = page.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(Texts.Reverse(), data.Select(TextOf));
        Assert.All(data, i => Assert.StartsWith("msg_", i.Str("id")));
        Assert.Equal(5, data.Select(i => i.Str("id")).Distinct().Count());
        Assert.Equal(data[0].Str("id"), page.Str("first_id"));
        Assert.Equal(data[^1].Str("id"), page.Str("last_id"));
    }

    [Fact]
    public async Task InputItems_OrderAsc_ListsInRequestOrder()
    {
        string id = await CreateFiveItemResponseAsync();

        var page = await GetPageAsync(id, "?order=asc");

        Assert.Equal(Texts, page.GetProperty("data").EnumerateArray().Select(TextOf));
        Assert.Equal(["user", "assistant", "user", "developer", "user"], page.GetProperty("data").EnumerateArray().Select(i => i.Str("role")));
    }

    [Fact]
    public async Task InputItems_LimitAndAfter_PagesThroughAll()
    {
        string id = await CreateFiveItemResponseAsync();

        var p1 = await GetPageAsync(id, "?order=asc&limit=2");
        var p2 = await GetPageAsync(id, $"?order=asc&limit=2&after={p1.Str("last_id")}");
        var p3 = await GetPageAsync(id, $"?order=asc&limit=2&after={p2.Str("last_id")}");

        foreach (var (page, texts, more) in new[] { (p1, Texts[..2], true), (p2, Texts[2..4], true), (p3, Texts[4..], false) })
        {
            var data = page.GetProperty("data").EnumerateArray().ToList();
            Assert.Equal(texts, data.Select(TextOf));
            Assert.Equal(more, page.GetProperty("has_more").GetBoolean());
            Assert.Equal(data[0].Str("id"), page.Str("first_id"));
            Assert.Equal(data[^1].Str("id"), page.Str("last_id"));
        }

        var desc = await GetPageAsync(id, "?limit=2");
        Assert.Equal(["five", "four"], desc.GetProperty("data").EnumerateArray().Select(TextOf));
        Assert.True(desc.GetProperty("has_more").GetBoolean());
        var descNext = await GetPageAsync(id, $"?limit=2&after={desc.Str("last_id")}");
        Assert.Equal(["three", "two"], descNext.GetProperty("data").EnumerateArray().Select(TextOf));
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=101", "limit")]
    [InlineData("?limit=ten", "limit")]
    [InlineData("?order=bad", "order")]
    [InlineData("?after=msg_not_in_this_response", "after")]
    public async Task InputItems_InvalidQuery_Returns400NamingParam(string query, string param)
    {
        string id = await CreateFiveItemResponseAsync();

        using var http = await _client.GetAsync(Url(id, "/input_items" + query));

        await AssertErrorAsync(http, HttpStatusCode.BadRequest, param: param);
    }

    private async Task<string> CreateFiveItemResponseAsync()
    {
        var input = new JsonArray(
            UserMessage(Texts[0]),
            new JsonObject
            {
                ["type"] = "message", ["role"] = "assistant", ["status"] = "completed",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = Texts[1], ["annotations"] = new JsonArray() }),
            },
            UserMessage(Texts[2]),
            new JsonObject { ["role"] = "developer", ["content"] = Texts[3] },
            new JsonObject
            {
                ["type"] = "message", ["role"] = "user",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = Texts[4] }),
            });
        var turn = await CreateAsync(_client, Request(input), stream: false);
        return turn.Id;
    }

    private async Task<JsonElement> GetPageAsync(string id, string query)
    {
        using var http = await _client.GetAsync(Url(id, "/input_items" + query));
        Assert.True(http.StatusCode == HttpStatusCode.OK, await http.Content.ReadAsStringAsync());
        return await ReadJsonAsync(http);
    }

    private static string TextOf(JsonElement item)
    {
        Assert.Equal("message", item.Str("type"));
        var content = item.GetProperty("content");
        return content.ValueKind == JsonValueKind.String ? content.GetString()! : content[0].Str("text");
    }

    private static Uri Url(string id, string suffix = "") => new($"/v1/responses/{id}{suffix}", UriKind.Relative);
}
