using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.TestKit;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.WebSockets.LaneJson;
using static Loopwire.Server.Tests.WebSockets.WsJson;
using static Loopwire.Server.Tests.WebSockets.WsTestClient;

namespace Loopwire.Server.Tests.WebSockets;

/// <summary>
/// PROTOCOL.md 8.9 items 7-9 and Codex's interrupt. The simulated model runs on a fake clock, so a steer lands mid-answer
/// deterministically: the clock stands still between two chunks while the test steers.
/// </summary>
public sealed class WebSocketSteerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(50);
    private readonly FakeTimeProvider _time = new();

    private static JsonObject Long(string text) => Request(Slow, false, Items(User(text)));

    [Fact]
    public async Task Steer_MidAnswer_AcceptedThenIncompleteSteeredThenSuccessorReflectsSteer()
    {
        await using var host = new WsTestHost(_time, output);
        await using var ws = await host.ConnectAsync();
        // The answer this conversation gets when nobody steers (the simulated model is deterministic).
        await ws.CreateAsync(OnLane(Long("Tell me about sockets."), "full"));
        string fullText = Text(Last(await _time.AdvanceUntilDoneAsync(ws.ReceiveTurnAsync(), Step)));

        await ws.CreateAsync(OnLane(Long("Tell me about sockets."), "a"));
        var head = await _time.AdvanceUntilDoneAsync(ws.ReceiveUntilAsync(ev => ev.Count(e => Type(e) == "response.output_text.delta") >= 3), Step);
        string target = Id(head[0]);
        await ws.SendAsync(Steer(target, "Talk about caching instead"));
        var events = await _time.AdvanceUntilDoneAsync(ws.ReceiveUntilAsync(ev => ev.Count(IsResponseTerminal) >= 2), Step);

        var accepted = events.Single(e => Type(e) == "response.steer.accepted");
        var steered = events.First(IsResponseTerminal);
        var successorCreated = events.Single(e => Type(e) == "response.created");
        var successorEnd = events.Last();
        Assert.StartsWith("steer_", accepted.GetProperty("steer").GetProperty("id").GetString());
        Assert.Equal(target, accepted.GetProperty("steer").GetProperty("previous_response_id").GetString());
        Assert.Equal("a", Lane(accepted));
        Assert.True(events.IndexOf(accepted) < events.IndexOf(steered));
        Assert.Equal("response.incomplete", Type(steered));
        Assert.Equal("steered", Response(steered).GetProperty("incomplete_details").GetProperty("reason").GetString());
        string cut = Text(steered);
        Assert.True(cut.Length > 0 && cut.Length < fullText.Length, $"cut short: {cut.Length} of {fullText.Length} characters");
        Assert.StartsWith(cut, fullText, StringComparison.Ordinal);
        Assert.True(events.IndexOf(steered) < events.IndexOf(successorCreated));
        Assert.Equal(target, Response(successorCreated).GetProperty("previous_response_id").GetString());
        Assert.Equal("response.completed", Type(successorEnd));
        Assert.StartsWith("Changing course as asked: Talk about caching instead", Text(successorEnd), StringComparison.Ordinal);
        Assert.All(events, e => Assert.Equal("a", Lane(e)));
    }

    [Fact]
    public async Task Steer_Failures_SteerFailedWithOriginalInput()
    {
        await using var host = new WsTestHost(_time, output);
        await using var ws = await host.ConnectAsync();
        var done = await ws.RunAsync(Request(Instant, false, Items(User("Hi."))));

        await ws.SendAsync(Steer("resp_unknown", "x"));
        var unknown = await ws.ReceiveAsync();
        await ws.SendAsync(Steer(Id(Last(done)), new JsonArray(User("late"))));
        var completed = await ws.ReceiveAsync();
        var withLane = Steer(Id(Last(done)), "x");
        withLane["stream_id"] = "a";
        await ws.SendAsync(withLane);
        var invalid = await ws.ReceiveAsync();

        AssertFailed(unknown!.Value, "response_not_found");
        Assert.Equal("x", unknown.Value.GetProperty("steer").GetProperty("input").GetString());
        Assert.False(unknown.Value.GetProperty("steer").TryGetProperty("id", out _));
        AssertFailed(completed!.Value, "response_already_completed");
        Assert.Equal("late", completed.Value.GetProperty("steer").GetProperty("input")[0].GetProperty("content")[0].GetProperty("text").GetString());
        AssertFailed(invalid!.Value, "invalid_input");
        var after = await ws.RunAsync(Request(Instant, false, Items(User("Still open."))));
        Assert.Equal("response.completed", Type(Last(after)));
    }

    [Fact]
    public async Task Steer_WhileToolCallPending_PendingAfterCompletedThenPrependedToNextCreate()
    {
        await using var host = new WsTestHost(_time, output);
        await using var ws = await host.ConnectAsync();
        await ws.CreateAsync(Request(Slow, true, Items(User("What is the weather in Paris? Use get_weather.")), tools: true));
        // Steer while the tool call is being written: the call is finished, not cut.
        var head = await _time.AdvanceUntilDoneAsync(ws.ReceiveUntilAsync(ev => ev.Any(e => Type(e) == "response.output_item.added")), Step);
        string target = Id(head[0]);
        await ws.SendAsync(Steer(target, "Also answer in French"));
        var events = await _time.AdvanceUntilDoneAsync(ws.ReceiveUntilAsync(ev => ev.Any(e => Type(e) == "response.steer.pending")), Step);

        Assert.Equal("response.steer.accepted", Type(events.First(e => Type(e).StartsWith("response.steer", StringComparison.Ordinal))));
        var completed = events.Single(IsResponseTerminal);
        var pending = events.Single(e => Type(e) == "response.steer.pending");
        Assert.Equal("response.completed", Type(completed));
        Assert.True(events.IndexOf(completed) < events.IndexOf(pending));
        var call = Response(completed).GetProperty("output").EnumerateArray().Single(i => i.GetProperty("type").GetString() == "function_call");
        string callId = call.GetProperty("call_id").GetString()!;
        Assert.Equal("waiting_for_required_input", pending.GetProperty("reason").GetString());
        var required = Assert.Single(pending.GetProperty("required_input").EnumerateArray());
        Assert.Equal("function_call_output", required.GetProperty("type").GetString());
        Assert.Equal(callId, required.GetProperty("call_id").GetString());
        Assert.Equal("get_weather", required.GetProperty("name").GetString());

        await ws.CreateAsync(Request(Slow, true, Items(ToolOutput(callId, "Sunny, 21 C")), tools: true, previousResponseId: target));
        var next = await _time.AdvanceUntilDoneAsync(ws.ReceiveTurnAsync(), Step);
        Assert.Equal("response.completed", Type(Last(next)));
        var input = await host.InputItemsAsync(Id(Last(next)));
        Assert.Equal(["message", "function_call_output"], input.Select(i => i.GetProperty("type").GetString()!).ToArray());
        Assert.Equal("Also answer in French", input[0].GetProperty("content").GetString());
    }

    [Fact]
    public async Task Interrupt_MidAnswer_EndsIncompleteInterruptedWithoutPartialItem()
    {
        await using var host = new WsTestHost(_time, output);
        await using var ws = await host.ConnectAsync();
        await ws.CreateAsync(OnLane(Long("Tell me about sockets."), "a"));
        var head = await _time.AdvanceUntilDoneAsync(ws.ReceiveUntilAsync(ev => ev.Any(e => Type(e) == "response.output_text.delta")), Step);
        string target = Id(head[0]);

        await ws.SendTextAsync($$"""{"type":"response.interrupt","response_id":"{{target}}","mode":"discard_partial_items"}""");
        var events = await ws.ReceiveUntilAsync(ev => ev.Any(IsResponseTerminal));

        // Deltas already in flight may precede the reply; nothing of the response follows the terminal event.
        var accepted = events.Single(e => Type(e) == "response.interrupt.accepted");
        Assert.Equal("a", Lane(accepted));
        Assert.Equal(target, accepted.GetProperty("response_id").GetString());
        var end = events[^1];
        Assert.Equal("response.incomplete", Type(end));
        Assert.Equal("interrupted", Response(end).GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.Empty(Response(end).GetProperty("output").EnumerateArray());
        Assert.DoesNotContain(events, e => Type(e) == "response.output_item.done");
    }

    private static void AssertFailed(JsonElement e, string code)
    {
        Assert.Equal("response.steer.failed", Type(e));
        Assert.Equal(code, e.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", e.GetProperty("error").GetProperty("type").GetString());
        Assert.True(e.GetProperty("steer").TryGetProperty("input", out _));
    }
}
