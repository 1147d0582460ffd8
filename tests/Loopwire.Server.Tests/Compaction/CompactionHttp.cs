using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Loopwire.Server.Tests.Http.ResponsesHttp;

namespace Loopwire.Server.Tests.Compaction;

/// <summary>Helpers of the compaction tests: a tool-using history, <c>/responses/compact</c> and <c>/responses/input_tokens</c>.</summary>
internal static class CompactionHttp
{
    /// <summary>An input with two user messages and a finished tool call: something for compaction to fold.</summary>
    public static JsonArray History(int toolRounds = 1)
    {
        var items = new JsonArray(UserMessage("Fix the failing test in calc.py, please."));
        for (int i = 0; i < toolRounds; i++)
        {
            items.Add(new JsonObject
            {
                ["type"] = "function_call",
                ["call_id"] = $"call_{i}",
                ["name"] = "read_file",
                ["arguments"] = $$"""{"path":"calc_{{i}}.py"}""",
            });
            items.Add(ToolOutput($"call_{i}", $"def add(a, b):\n    return a - b  # round {i} " + string.Join(' ', Enumerable.Repeat("padding", 40))));
        }

        items.Add(new JsonObject
        {
            ["type"] = "message",
            ["role"] = "assistant",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = "add() subtracts; I will fix it." }),
        });
        items.Add(UserMessage("Go ahead."));
        return items;
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient client, string path, JsonNode body)
    {
        using var content = Content(body.ToJsonString());
        using var http = await client.PostAsync(new Uri(path, UriKind.Relative), content);
        return (http.StatusCode, Parse(await http.Content.ReadAsStringAsync()));
    }

    public static async Task<JsonElement> CompactAsync(HttpClient client, JsonObject body)
    {
        var (status, json) = await PostAsync(client, "/v1/responses/compact", body);
        Assert.True(status == HttpStatusCode.OK, $"compact answered {(int)status}: {json}");
        return json;
    }

    public static async Task<int> InputTokensAsync(HttpClient client, JsonObject body)
    {
        var (status, json) = await PostAsync(client, "/v1/responses/input_tokens", body);
        Assert.True(status == HttpStatusCode.OK, $"input_tokens answered {(int)status}: {json}");
        Assert.Equal("response.input_tokens", json.GetProperty("object").GetString());
        return json.GetProperty("input_tokens").GetInt32();
    }

    /// <summary>A JSON array of the elements of <paramref name="output"/>, unchanged.</summary>
    public static JsonArray AsInput(JsonElement output) => JsonNode.Parse(output.GetRawText())!.AsArray();
}
