using System.Text.Json;
using System.Text.Json.Nodes;
using static Loopwire.Server.Tests.WebSockets.WsTestClient;

namespace Loopwire.Server.Tests.WebSockets;

/// <summary>Helpers for lane (<c>stream_id</c>) and steering tests.</summary>
internal static class LaneJson
{
    /// <summary>A request body on lane <paramref name="streamId"/>.</summary>
    public static JsonObject OnLane(JsonObject body, string? streamId)
    {
        if (streamId is not null)
        {
            body["stream_id"] = streamId;
        }

        return body;
    }

    /// <summary>The <c>stream_id</c> of an event, or null when the key is absent.</summary>
    public static string? Lane(JsonElement e) => e.TryGetProperty("stream_id", out var s) ? s.GetString() : null;

    public static bool HasLaneKey(JsonElement e) => e.TryGetProperty("stream_id", out _);

    public static bool IsResponseTerminal(JsonElement e) => Type(e) is "response.completed" or "response.incomplete" or "response.failed";

    /// <summary>Reads messages until <paramref name="done"/> holds over what was read (bounded).</summary>
    public static async Task<List<JsonElement>> ReceiveUntilAsync(this WsTestClient ws, Func<List<JsonElement>, bool> done,
        CancellationToken ct = default)
    {
        var events = new List<JsonElement>();
        for (int i = 0; i < 100_000 && !done(events); i++)
        {
            var e = await ws.ReceiveAsync(ct) ?? throw new InvalidOperationException(
                $"The server closed the socket ({ws.CloseStatus}); got: {string.Join(", ", events.Select(Type))}");
            events.Add(e);
        }

        return events;
    }

    /// <summary>Reads until <paramref name="count"/> terminal events (responses or errors) arrived.</summary>
    public static Task<List<JsonElement>> ReceiveTerminalsAsync(this WsTestClient ws, int count, CancellationToken ct = default) =>
        ws.ReceiveUntilAsync(events => events.Count(IsTerminal) >= count, ct);

    /// <summary>The response id of a lifecycle event.</summary>
    public static string Id(JsonElement e) => e.GetProperty("response").GetProperty("id").GetString()!;

    /// <summary>The concatenated assistant text of a terminal event's response.</summary>
    public static string Text(JsonElement terminal)
    {
        var texts = new List<string>();
        foreach (var item in terminal.GetProperty("response").GetProperty("output").EnumerateArray())
        {
            if (item.GetProperty("type").GetString() == "message")
            {
                foreach (var part in item.GetProperty("content").EnumerateArray())
                {
                    texts.Add(part.GetProperty("text").GetString()!);
                }
            }
        }

        return string.Concat(texts);
    }

    public static JsonObject Steer(string target, JsonNode input) =>
        new() { ["type"] = "response.steer", ["previous_response_id"] = target, ["input"] = input };
}
