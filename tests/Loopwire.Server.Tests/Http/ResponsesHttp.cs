using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.TestKit;

namespace Loopwire.Server.Tests.Http;

/// <summary>One SSE event as it came off the wire.</summary>
/// <param name="Name">The <c>event:</c> field (<c>message</c> when absent).</param>
/// <param name="Data">The <c>data:</c> field.</param>
internal sealed record SseEvent(string Name, string Data)
{
    public bool IsDone => Data == "[DONE]";

    public JsonElement Json { get; } = Data == "[DONE]" ? default : ResponsesHttp.Parse(Data);

    public string Type => Json.GetProperty("type").GetString()!;
}

/// <summary>A finished <c>POST /v1/responses</c>: the final response object and, when streamed, every event.</summary>
internal sealed record Turn(HttpResponseMessage Http, JsonElement Response, IReadOnlyList<SseEvent> Events)
{
    public string Id => Response.GetProperty("id").GetString()!;

    public JsonElement Output => Response.GetProperty("output");

    public JsonElement Usage => Response.GetProperty("usage");
}

/// <summary>Raw-HTTP helpers: the tests read JSON as JSON, not through the server's own wire types.</summary>
internal static class ResponsesHttp
{
    public const string WeatherTool = "get_weather";

    /// <summary>A body with the test model and the given input (a string or an array).</summary>
    public static JsonObject Request(JsonNode input, bool? store = null) => Requests.Body(LoopwireFactory.Model, input, store);

    public static JsonArray Tools() => [Requests.CityTool(WeatherTool, "Gets the current weather for a city.")];

    public static JsonObject UserMessage(string text) => Requests.UserMessage(text);

    public static JsonObject ToolOutput(string callId, string output) => Requests.ToolOutput(callId, output);

    /// <summary>Instructions long enough (well over 64 tokens) for the prefix cache to hold whole blocks, unique per call.</summary>
    public static string LongInstructions() =>
        $"Session {Guid.NewGuid():N}. You are a careful assistant. "
        + string.Join(' ', Enumerable.Range(1, 60).Select(i => $"Rule {i}: answer briefly and cite the tool result."));

    public static StringContent Content(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Posts <paramref name="body"/> (with <c>stream</c> set) and expects a 200.</summary>
    public static async Task<Turn> CreateAsync(HttpClient client, JsonObject body, bool stream)
    {
        body["stream"] = stream;
        using var content = Content(body.ToJsonString());
        var http = await client.PostAsync(new Uri("/v1/responses", UriKind.Relative), content);
        if (http.StatusCode != HttpStatusCode.OK)
        {
            Assert.Fail($"POST /v1/responses answered {(int)http.StatusCode}: {await http.Content.ReadAsStringAsync()}");
        }

        if (!stream)
        {
            Assert.Equal("application/json", http.Content.Headers.ContentType?.MediaType);
            return new Turn(http, await ReadJsonAsync(http), []);
        }

        Assert.Equal("text/event-stream", http.Content.Headers.ContentType?.MediaType);
        var events = await ReadEventsAsync(http);
        var terminal = events.Last(e => !e.IsDone);
        Assert.Equal("response.completed", terminal.Type);
        return new Turn(http, terminal.Json.GetProperty("response"), events);
    }

    public static async Task<List<SseEvent>> ReadEventsAsync(HttpResponseMessage http)
    {
        await using var stream = await http.Content.ReadAsStreamAsync();
        var parser = SseParser.Create(stream, static (name, data) => Encoding.UTF8.GetString(data));
        var events = new List<SseEvent>();
        await foreach (var item in parser.EnumerateAsync())
        {
            events.Add(new SseEvent(item.EventType, item.Data));
        }

        return events;
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage http) => Parse(await http.Content.ReadAsStringAsync());

    public static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    /// <summary>Asserts an OpenAI-style error body and returns its inner <c>error</c> object.</summary>
    public static async Task<JsonElement> AssertErrorAsync(HttpResponseMessage http, HttpStatusCode status, string? code = null, string? param = null)
    {
        string text = await http.Content.ReadAsStringAsync();
        Assert.True(status == http.StatusCode, $"Expected {(int)status}, got {(int)http.StatusCode}: {text}");
        Assert.StartsWith("req_", Assert.Single(http.Headers.GetValues("x-request-id")));
        Assert.Equal("application/json", http.Content.Headers.ContentType?.MediaType);
        var error = Parse(text).GetProperty("error");
        Assert.Equal(JsonValueKind.String, error.GetProperty("message").ValueKind);
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.True(error.TryGetProperty("param", out var p), "error.param must be present (null allowed)");
        Assert.True(error.TryGetProperty("code", out var c), "error.code must be present (null allowed)");
        if (code is not null)
        {
            Assert.Equal(code, c.GetString());
        }

        if (param is not null)
        {
            Assert.Equal(param, p.GetString());
        }

        return error;
    }

    /// <summary>Asserts that the server still answers a plain request.</summary>
    public static async Task AssertStillServesAsync(HttpClient client)
    {
        var turn = await CreateAsync(client, Request("Are you still there?"), stream: false);
        Assert.Equal("completed", turn.Response.GetProperty("status").GetString());
    }

    /// <summary>The output items without their <c>id</c> fields (ids are random; everything else is not).</summary>
    public static JsonArray WithoutIds(JsonElement output)
    {
        var items = JsonNode.Parse(output.GetRawText())!.AsArray();
        foreach (var item in items)
        {
            item!.AsObject().Remove("id");
        }

        return items;
    }

    public static string Text(this JsonElement messageItem) =>
        messageItem.GetProperty("content")[0].GetProperty("text").GetString()!;

    public static string Str(this JsonElement e, string property) => e.GetProperty(property).GetString()!;
}
