using System.Text.Json;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.WebSockets.WsJson;
using static Loopwire.Server.Tests.WebSockets.WsTestClient;

namespace Loopwire.Server.Tests.WebSockets;

public sealed class WebSocketChainingTests(ITestOutputHelper output)
{
    private static readonly string[] TextPattern =
    [
        "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
        "response.output_text.delta*", "response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.completed",
    ];

    private static readonly string[] CallPattern =
    [
        "response.created", "response.in_progress", "response.output_item.added", "response.function_call_arguments.delta*",
        "response.function_call_arguments.done", "response.output_item.done", "response.completed",
    ];

    [Fact]
    public async Task ResponseCreate_ContinuationWithOnlyToolOutput_AnswersFromWholeHistory()
    {
        await using var host = new WsTestHost(output);
        await using var ws = await host.ConnectAsync();

        var first = await ws.RunAsync(Request(Instant, false, Items(User("Please use get_weather for Paris.")), tools: true));
        Assert.Equal("response.completed", Type(Last(first)));
        var r1 = Response(Last(first));
        var call = Assert.Single(r1.GetProperty("output").EnumerateArray());
        Assert.Equal("function_call", call.GetProperty("type").GetString());
        Assert.Equal("get_weather", call.GetProperty("name").GetString());
        string callId = call.GetProperty("call_id").GetString()!;

        var second = await ws.RunAsync(Request(Instant, false, Items(ToolOutput(callId, "Sunny, 21 C")), tools: true,
            previousResponseId: r1.GetProperty("id").GetString()));
        Assert.Equal("response.completed", Type(Last(second)));
        var r2 = Response(Last(second));
        var message = Assert.Single(r2.GetProperty("output").EnumerateArray());
        Assert.Equal("message", message.GetProperty("type").GetString());
        Assert.StartsWith("The tool returned: Sunny, 21 C.", message.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(r1.GetProperty("id").GetString(), r2.GetProperty("previous_response_id").GetString());

        AssertContiguousSequence(first);
        AssertContiguousSequence(second);

        // The same history sent in full on a fresh socket costs the same input tokens: the delta request saw it all.
        await using var fresh = await host.ConnectAsync();
        var replay = await fresh.RunAsync(Request(Instant, false,
            Items(User("Please use get_weather for Paris."), ToNode(call), ToolOutput(callId, "Sunny, 21 C")), tools: true));
        var full = Response(Last(replay));
        int input2 = r2.GetProperty("usage").GetProperty("input_tokens").GetInt32();
        Assert.Equal(full.GetProperty("usage").GetProperty("input_tokens").GetInt32(), input2);
        Assert.True(input2 > r1.GetProperty("usage").GetProperty("input_tokens").GetInt32());
    }

    [Fact]
    public async Task ResponseCreate_ToolCallThenText_EventsEqualSseEvents()
    {
        await using var host = new WsTestHost(output);
        await using var ws = await host.ConnectAsync();
        var turn1 = Request(Instant, false, Items(User("Please use get_weather for Oslo.")), tools: true);

        var wsCall = await ws.RunAsync(turn1);
        var sseCall = await host.PostSseAsync(turn1);
        Assert.Equal(CallPattern, Collapse(wsCall));
        AssertSameEvents(sseCall, wsCall);

        var call = Response(Last(wsCall)).GetProperty("output")[0];
        string callId = call.GetProperty("call_id").GetString()!;
        var wsText = await ws.RunAsync(Request(Instant, false, Items(ToolOutput(callId, "Rain")), tools: true,
            previousResponseId: Response(Last(wsCall)).GetProperty("id").GetString()));
        var sseText = await host.PostSseAsync(Request(Instant, false,
            Items(User("Please use get_weather for Oslo."), ToNode(call), ToolOutput(callId, "Rain")), tools: true));
        Assert.Equal(TextPattern, Collapse(wsText));
        AssertSameEvents(sseText, wsText);
    }

    [Fact]
    public async Task WarmUp_GenerateFalse_CreatedThenCompletedWithEmptyOutput()
    {
        await using var host = new WsTestHost(output);
        await using var ws = await host.ConnectAsync();
        var body = Request(Instant, false, Items(User("Tell me about sockets.")));
        body["generate"] = false;

        var warm = await ws.RunAsync(body);

        Assert.Equal(["response.created", "response.completed"], warm.Select(Type));
        AssertContiguousSequence(warm);
        var r = Response(Last(warm));
        Assert.Equal("completed", r.GetProperty("status").GetString());
        Assert.Equal(0, r.GetProperty("output").GetArrayLength());
    }

    [Fact]
    public async Task WarmUp_EmptyInputContinuation_GeneratesFromCachedContext()
    {
        await using var host = new WsTestHost(output);
        await using var ws = await host.ConnectAsync();
        var body = Request(Instant, false, Items(User("Tell me about sockets.")));
        body["generate"] = false;
        var warm = await ws.RunAsync(body);
        string warmId = Response(Last(warm)).GetProperty("id").GetString()!;

        var answer = await ws.RunAsync(Request(Instant, false, [], previousResponseId: warmId));

        Assert.Equal(TextPattern, Collapse(answer));
        var message = Assert.Single(Response(Last(answer)).GetProperty("output").EnumerateArray());
        string text = message.GetProperty("content")[0].GetProperty("text").GetString()!;
        Assert.NotEmpty(text);

        // It answered the warmed-up context: the same full request on a fresh socket says the same.
        await using var fresh = await host.ConnectAsync();
        var direct = await fresh.RunAsync(Request(Instant, false, Items(User("Tell me about sockets."))));
        Assert.Equal(Response(Last(direct)).GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString(), text);
    }

    [Fact]
    public async Task PreviousResponseId_Unknown_NestedErrorAndSocketStaysOpen()
    {
        await using var host = new WsTestHost(output);
        await using var ws = await host.ConnectAsync();

        var events = await ws.RunAsync(Request(Instant, false, Items(User("Continue.")), previousResponseId: "resp_doesnotexist"));

        var error = Assert.Single(events);
        Assert.Equal("error", Type(error));
        Assert.Equal(400, error.GetProperty("status").GetInt32());
        var inner = error.GetProperty("error");
        Assert.Equal("invalid_request_error", inner.GetProperty("type").GetString());
        Assert.Equal("previous_response_not_found", inner.GetProperty("code").GetString());
        Assert.Equal("previous_response_id", inner.GetProperty("param").GetString());
        Assert.Contains("resp_doesnotexist", inner.GetProperty("message").GetString());

        var retry = await ws.RunAsync(Request(Instant, false, Items(User("Start over with the full context."))));
        Assert.Equal("response.completed", Type(Last(retry)));
    }

    /// <summary>The event types, with a run of the same <c>*.delta</c> type collapsed to <c>type*</c>.</summary>
    private static List<string> Collapse(List<JsonElement> events)
    {
        var types = new List<string>();
        foreach (var t in events.Select(Type))
        {
            string name = t.EndsWith(".delta", StringComparison.Ordinal) ? t + "*" : t;
            if (types.Count == 0 || types[^1] != name || !name.EndsWith('*'))
            {
                types.Add(name);
            }
        }

        return types;
    }

    /// <summary>Same events in the same order, equal field by field once ids, timestamps and cache counters are set aside.</summary>
    private static void AssertSameEvents(List<JsonElement> sse, List<JsonElement> ws)
    {
        string[] volatileKeys = ["id", "item_id", "created_at", "completed_at", "cached_tokens", "previous_response_id"];
        Assert.Equal(sse.Select(Type), ws.Select(Type));
        for (int i = 0; i < sse.Count; i++)
        {
            Assert.Equal(Canonical(sse[i], volatileKeys), Canonical(ws[i], volatileKeys));
        }
    }
}
