using System.Text.Json.Nodes;

namespace Loopwire.TestKit;

/// <summary>JSON bodies for <c>POST /v1/responses</c> and <c>response.create</c>, built as JSON (not through the server's own wire types).</summary>
public static class Requests
{
    /// <summary>The delay-free simulated model.</summary>
    public const string InstantModel = "sim-instant";

    /// <summary>A simulated model that runs at ~65 tokens/s after a 20k tokens/s prefill: long enough to act mid-response.</summary>
    public const string SlowModel = "sim-gpt5";

    /// <summary>A body with <c>model</c>, <c>input</c> (a string or an array) and, when given, <c>store</c>.</summary>
    public static JsonObject Body(string model, JsonNode input, bool? store = null)
    {
        var body = new JsonObject { ["model"] = model, ["input"] = input };
        if (store is { } s)
        {
            body["store"] = s;
        }

        return body;
    }

    /// <summary>A user message whose content is a plain string.</summary>
    public static JsonObject UserMessage(string text) => new() { ["role"] = "user", ["content"] = text };

    /// <summary>A user message item whose content is one <c>input_text</c> part.</summary>
    public static JsonObject UserItem(string text) => new()
    {
        ["type"] = "message",
        ["role"] = "user",
        ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = text }),
    };

    /// <summary>A <c>function_call_output</c> item.</summary>
    public static JsonObject ToolOutput(string callId, string output) =>
        new() { ["type"] = "function_call_output", ["call_id"] = callId, ["output"] = output };

    /// <summary>A function tool taking one string argument, <c>city</c>.</summary>
    public static JsonObject CityTool(string name, string description) => new()
    {
        ["type"] = "function",
        ["name"] = name,
        ["description"] = description,
        ["parameters"] = JsonNode.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""),
    };

    /// <summary>An array of deep copies of <paramref name="items"/>, so one node can go into several bodies.</summary>
    public static JsonArray Items(params JsonNode[] items) => new(items.Select(i => (JsonNode?)i.DeepClone()).ToArray());
}
