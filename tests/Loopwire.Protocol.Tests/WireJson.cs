using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Validation;

namespace Loopwire.Protocol.Tests;

/// <summary>Small helpers shared by the protocol tests.</summary>
internal static class WireJson
{
    public static CreateResponseRequest ParseValid(string json)
    {
        var error = RequestReader.TryParse(Encoding.UTF8.GetBytes(json), out var request);
        Assert.True(error is null, $"Expected a valid request, got {error}");
        Assert.NotNull(request);
        return request;
    }

    public static ProtocolError ParseInvalid(string json)
    {
        var error = RequestReader.TryParse(Encoding.UTF8.GetBytes(json), out var request);
        Assert.NotNull(error);
        Assert.Null(request);
        return error;
    }

    public static JsonObject Object(string json) =>
        JsonNode.Parse(json) as JsonObject ?? throw new ArgumentException("Not a JSON object.", nameof(json));

    public static void AssertJsonEqual(JsonNode? expected, JsonNode? actual)
    {
        Assert.True(
            JsonNode.DeepEquals(expected, actual),
            $"JSON differs.{Environment.NewLine}expected: {expected?.ToJsonString()}{Environment.NewLine}actual:   {actual?.ToJsonString()}");
    }

    /// <summary>Property names of a JSON object in document order.</summary>
    public static List<string> PropertyNames(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
    }
}
