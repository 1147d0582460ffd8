using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.Server.Tests.WebSockets;
using Loopwire.TestKit;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.WebSockets.LaneJson;
using static Loopwire.Server.Tests.WebSockets.WsJson;
using static Loopwire.Server.Tests.WebSockets.WsTestClient;

namespace Loopwire.Server.Tests.Upstream;

/// <summary>
/// Steering a response that streams from an upstream (PROTOCOL.md 8.2): a Responses WebSocket upstream gets the steer passed
/// through and generates the successor itself; the other backends cancel the upstream request and continue with a new one.
/// </summary>
/// <remarks>
/// The upstream is a whole Loopwire (it honours <c>response.steer</c>) whose slow simulated model runs on a fake clock: the clock
/// stands still while the test steers, so the steer always lands mid-answer and only the steer can end the target.
/// </remarks>
public sealed class UpstreamSteerTests(ITestOutputHelper output)
{
    private const string RefusedSteer = """{"type":"response.steer.failed","sequence_number":0,"steer":{"previous_response_id":"resp_fake1"},"error":{"type":"invalid_request_error","code":"steering_not_supported","message":"No steering here."}}""";
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(20);
    private readonly FakeTimeProvider _upstreamTime = new();

    [Fact]
    public async Task ResponsesWebSocketBackend_SteerMidAnswer_PassedThroughAndTheUpstreamGeneratesTheSuccessor()
    {
        await using var upstream = await LoopbackApp.StartLoopwireAsync(output, _upstreamTime, ("Loopwire:DefaultModelProfile", "sim-gpt5"));
        await using var downstream = await DownstreamAsync("responses-ws", upstream);

        var (target, events) = await SteerMidAnswerAsync(downstream);

        AssertSteeredThenSuccessor(target, events);
        // The upstream continued from its own cache with only the steer's message: it made the successor itself (cancel-and-continue
        // would have closed that socket and replayed the whole conversation on a new one).
        var turns = await upstream.TurnsAsync();
        Assert.Equal(2, turns.Count);
        Assert.Equal("incomplete", turns[0].GetProperty("status").GetString());
        Assert.Equal([1, 1], turns.Select(t => t.GetProperty("items_received").GetInt32()));
        Assert.Equal([false, true], turns.Select(t => t.GetProperty("from_cache").GetBoolean()));
        Assert.Contains(downstream.Logs.Entries, e => e.Message.Contains("steer passed through", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResponsesHttpBackend_SteerMidAnswer_CancelAndContinueWithTheWholeConversation()
    {
        await using var upstream = await LoopbackApp.StartLoopwireAsync(output, _upstreamTime, ("Loopwire:DefaultModelProfile", "sim-gpt5"));
        await using var downstream = await DownstreamAsync("responses", upstream);

        var (target, events) = await SteerMidAnswerAsync(downstream);

        AssertSteeredThenSuccessor(target, events);
        // The upstream's first request was cancelled; the successor is a new request carrying the cut answer and the steer.
        var turns = await upstream.TurnsAsync();
        var last = turns[^1];
        Assert.Equal(3, last.GetProperty("items_received").GetInt32());
        Assert.DoesNotContain(downstream.Logs.Entries, e => e.Message.Contains("steer passed through", StringComparison.Ordinal));
    }

    /// <summary>
    /// The upstream makes no successor: it refuses steering (the target stops here instead), or it finished the target before the
    /// steer reached it (the target stays completed). Either way the successor is sent as a new request with the whole conversation.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ResponsesWebSocketBackend_UpstreamMakesNoSuccessor_SuccessorSentInstead(bool finishesFirst)
    {
        var received = new ConcurrentQueue<JsonElement>();
        await using var upstream = await LoopbackApp.StartFakeAsync(app => app.Map("/v1/responses", (HttpContext c) => RefusingUpstreamAsync(c, received, finishesFirst)));
        await using var downstream = await DownstreamAsync("responses-ws", upstream);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{downstream.BaseAddress.Authority}/v1/responses"), WsTestHost.GuardToken());
        await using var ws = new WsTestClient(socket);
        await ws.CreateAsync(OnLane(new JsonObject { ["model"] = "llama-test", ["store"] = false, ["input"] = "Tell me about sockets." }, "a"));
        var events = await ws.ReceiveUntilAsync(ev => ev.Any(e => Type(e) == "response.output_text.delta"));
        string target = Id(events[0]);

        await ws.SendAsync(Steer(target, "Talk about caching instead"));
        events.AddRange(await ws.ReceiveTerminalsAsync(2));

        // The client sees the same steer as over any backend; the refusal only changed how the successor was made.
        Assert.DoesNotContain(events, e => Type(e) is "error" or "response.steer.failed");
        Assert.Single(events, e => Type(e) == "response.steer.accepted");
        var terminals = events.Where(IsResponseTerminal).ToList();
        Assert.Equal([finishesFirst ? "response.completed" : "response.incomplete", "response.completed"], terminals.Select(Type));
        Assert.Equal(target, Id(terminals[0]));
        if (!finishesFirst)
        {
            Assert.Equal("steered", Response(terminals[0]).GetProperty("incomplete_details").GetProperty("reason").GetString());
        }

        Assert.Equal(target, Response(terminals[1]).GetProperty("previous_response_id").GetString());
        Assert.Equal("Answer 2", Text(terminals[1]));
        var messages = received.Select(m => Type(m)).ToList();
        Assert.Equal(["response.create", "response.steer", "response.create"], messages);
        Assert.All(received, m => Assert.False(m.TryGetProperty("stream_id", out _), "the downstream lane stays downstream"));
        var successor = received.Last();
        Assert.False(successor.TryGetProperty("previous_response_id", out _));
        Assert.Equal(3, successor.GetProperty("input").GetArrayLength());
    }

    /// <summary>
    /// A Responses WebSocket upstream that makes no successor: a one-item request answers one delta and waits; a
    /// <c>response.steer</c> gets <c>response.steer.failed</c>: <c>steering_not_supported</c>, or, when it
    /// <paramref name="finishesFirst"/>, the target's <c>response.completed</c> and then <c>response_already_completed</c>.
    /// A longer request completes at once.
    /// </summary>
    private static async Task RefusingUpstreamAsync(HttpContext c, ConcurrentQueue<JsonElement> received, bool finishesFirst)
    {
        if (!c.WebSockets.IsWebSocketRequest)
        {
            c.Response.StatusCode = 426;
            return;
        }

        using var ws = await c.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[1 << 16];
        while (true)
        {
            int length = 0;
            WebSocketReceiveResult r;
            try
            {
                do
                {
                    r = await ws.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), c.RequestAborted);
                    length += r.Count;
                }
                while (!r.EndOfMessage && r.MessageType != WebSocketMessageType.Close);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                return;
            }

            if (r.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            var message = JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
            received.Enqueue(message);
            if (Type(message) == "response.steer")
            {
                if (finishesFirst)
                {
                    await SendAsync(ws, Completed("resp_fake1"));
                }

                await SendAsync(ws, RefusedSteer.Replace("steering_not_supported", finishesFirst ? "response_already_completed" : "steering_not_supported",
                    StringComparison.Ordinal));
                continue;
            }

            int n = received.Count(m => Type(m) == "response.create");
            string id = "resp_fake" + n;
            await SendAsync(ws, $$$"""{"type":"response.created","sequence_number":0,"response":{"id":"{{{id}}}","status":"in_progress","output":[]}}""");
            await SendAsync(ws, $$"""{"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Answer {{n}}"}""");
            if (message.GetProperty("input").GetArrayLength() > 1)
            {
                await SendAsync(ws, Completed(id));
            }
        }
    }

    private static string Completed(string id) =>
        $$$$"""{"type":"response.completed","sequence_number":2,"response":{"id":"{{{{id}}}}","status":"completed","usage":{"input_tokens":10,"output_tokens":2}}}""";

    private static Task SendAsync(WebSocket ws, string json) =>
        ws.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<LoopbackApp> DownstreamAsync(string type, LoopbackApp upstream) =>
        await LoopbackApp.StartLoopwireAsync(null,
        [
            ("Loopwire:Backends:up:Type", type),
            ("Loopwire:Backends:up:BaseUrl", upstream.V1),
            ("Loopwire:ModelRoutes:0", "llama*=up"),
        ]);

    /// <summary>Starts a long answer on lane "a", steers it after its first text, and reads until the successor's terminal event.</summary>
    private async Task<(string Target, List<JsonElement> Events)> SteerMidAnswerAsync(LoopbackApp downstream)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{downstream.BaseAddress.Authority}/v1/responses"), WsTestHost.GuardToken());
        await using var ws = new WsTestClient(socket);
        var body = new JsonObject { ["model"] = "llama-test", ["store"] = false, ["input"] = "Tell me about sockets." };
        await ws.CreateAsync(OnLane(body, "a"));

        // Step 1: the upstream's clock moves until the first text arrives, then stands still.
        var head = await _upstreamTime.AdvanceUntilDoneAsync(ws.ReceiveUntilAsync(ev => ev.Any(e => Type(e) == "response.output_text.delta")), Step);
        Assert.DoesNotContain(head, IsTerminal);
        string target = Id(head[0]);

        // Step 2: with the clock still, only the steer can end the target.
        await ws.SendAsync(Steer(target, "Talk about caching instead"));
        var events = new List<JsonElement>(head);
        events.AddRange(await ws.ReceiveUntilAsync(ev => ev.Any(IsTerminal)));

        // Step 3: the successor needs the clock again.
        events.AddRange(await _upstreamTime.AdvanceUntilDoneAsync(ws.ReceiveUntilAsync(ev => ev.Any(IsTerminal)), Step));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, WsTestHost.GuardToken());
        return (target, events);
    }

    private static void AssertSteeredThenSuccessor(string target, List<JsonElement> events)
    {
        Assert.DoesNotContain(events, e => Type(e) is "error" or "response.steer.failed");
        var accepted = events.Single(e => Type(e) == "response.steer.accepted");
        var steered = events.First(IsResponseTerminal);
        var successorCreated = events.Last(e => Type(e) == "response.created");
        var successorEnd = events.Last();
        Assert.Equal(target, accepted.GetProperty("steer").GetProperty("previous_response_id").GetString());
        Assert.Equal(target, Id(steered));
        Assert.Equal("response.incomplete", Type(steered));
        Assert.Equal("steered", Response(steered).GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.True(Text(steered).Length > 0, "the target kept the text it had written");
        Assert.True(events.IndexOf(accepted) < events.IndexOf(steered));
        Assert.True(events.IndexOf(steered) < events.IndexOf(successorCreated));
        Assert.NotEqual(target, Id(successorCreated));
        Assert.Equal(target, Response(successorCreated).GetProperty("previous_response_id").GetString());
        Assert.Equal("response.completed", Type(successorEnd));
        Assert.StartsWith("Changing course as asked: Talk about caching instead", Text(successorEnd), StringComparison.Ordinal);
        Assert.All(events, e => Assert.Equal("a", Lane(e)));
    }
}
