using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.TestKit;

namespace Loopwire.Server.Tests.WebSockets;

/// <summary>Request builders and JSON helpers shared by the WebSocket tests.</summary>
internal static class WsJson
{
    public const string Instant = Requests.InstantModel;
    public const string Slow = Requests.SlowModel;

    public static JsonArray Tools() =>
    [
        Requests.CityTool("get_weather", "Current weather for a city."),
        Requests.CityTool("get_time", "Current time in a city."),
    ];

    public static JsonObject User(string text) => Requests.UserItem(text);

    public static JsonObject ToolOutput(string callId, string output) => Requests.ToolOutput(callId, output);

    /// <summary>A request body: model, store, input, and (optionally) the tools.</summary>
    public static JsonObject Request(string model, bool store, JsonArray input, bool tools = false, string? previousResponseId = null)
    {
        var body = Requests.Body(model, input, store);
        if (tools)
        {
            body["tools"] = Tools();
        }

        if (previousResponseId is not null)
        {
            body["previous_response_id"] = previousResponseId;
        }

        return body;
    }

    public static JsonArray Items(params JsonNode[] items) => Requests.Items(items);

    public static JsonNode ToNode(JsonElement e) => JsonNode.Parse(e.GetRawText())!;

    /// <summary>The response object of a terminal or created event.</summary>
    public static JsonElement Response(JsonElement e) => e.GetProperty("response");

    public static JsonElement Last(List<JsonElement> events) => events[^1];

    public static string Code(JsonElement errorEvent) => errorEvent.GetProperty("error").GetProperty("code").GetString()!;

    /// <summary>Canonical JSON: object keys sorted, the named keys removed at every depth.</summary>
    public static string Canonical(JsonNode? node, params string[] drop)
    {
        return Normalize(node)?.ToJsonString() ?? "null";

        JsonNode? Normalize(JsonNode? n) => n switch
        {
            JsonObject o => new JsonObject(o.Where(p => !drop.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => KeyValuePair.Create(p.Key, Normalize(p.Value)))),
            JsonArray a => new JsonArray(a.Select(Normalize).ToArray()),
            null => null,
            _ => n.DeepClone(),
        };
    }

    public static string Canonical(JsonElement e, params string[] drop) => Canonical(ToNode(e), drop);

    /// <summary>Asserts <c>sequence_number</c> runs 0, 1, 2, ... over one response's events.</summary>
    public static void AssertContiguousSequence(List<JsonElement> events)
    {
        for (int i = 0; i < events.Count; i++)
        {
            Assert.Equal(i, events[i].GetProperty("sequence_number").GetInt32());
        }
    }
}
