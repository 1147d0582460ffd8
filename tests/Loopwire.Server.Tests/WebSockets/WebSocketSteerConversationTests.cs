using System.Text;
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
/// Steering a response that belongs to a Conversation: the successor continues in the conversation (it cannot also name a
/// previous response), and a steer that would have to wait for a conversation turn's tool output is refused.
/// </summary>
public sealed class WebSocketSteerConversationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(50);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Steer_ConversationResponseMidAnswer_SuccessorContinuesInTheConversation()
    {
        await using var host = new WsTestHost(_time, output);
        string conversation = await CreateConversationAsync(host);
        await using var ws = await host.ConnectAsync();
        await ws.CreateAsync(InConversation(Request(Slow, true, Items(User("Tell me about sockets."))), conversation));
        var head = await _time.AdvanceUntilDoneAsync(ws.ReceiveUntilAsync(ev => ev.Count(e => Type(e) == "response.output_text.delta") >= 3), Step);
        string target = Id(head[0]);
        await ws.SendAsync(Steer(target, "Talk about caching instead"));
        var events = await _time.AdvanceUntilDoneAsync(ws.ReceiveUntilAsync(ev => ev.Count(IsResponseTerminal) >= 2), Step);

        Assert.Contains(events, e => Type(e) == "response.steer.accepted");
        Assert.DoesNotContain(events, e => Type(e) == "response.steer.failed");
        var steered = events.First(IsResponseTerminal);
        var successorEnd = events.Last();
        Assert.Equal("response.incomplete", Type(steered));
        Assert.Equal("response.completed", Type(successorEnd));
        Assert.StartsWith("Changing course as asked: Talk about caching instead", Text(successorEnd), StringComparison.Ordinal);
        Assert.Equal(conversation, Response(successorEnd).GetProperty("conversation").GetProperty("id").GetString());

        // The conversation holds both turns in order: the question, the cut answer, the steer, the new answer.
        var items = await ConversationItemsAsync(host, conversation);
        Assert.Equal(["user", "assistant", "user", "assistant"], items.Select(i => i.GetProperty("role").GetString()!).ToArray());
        Assert.Contains("Talk about caching instead", items[2].GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Steer_ConversationResponseWaitingForToolOutput_FailsSteeringNotSupported()
    {
        await using var host = new WsTestHost(_time, output);
        string conversation = await CreateConversationAsync(host);
        await using var ws = await host.ConnectAsync();
        await ws.CreateAsync(InConversation(Request(Slow, true, Items(User("What is the weather in Paris? Use get_weather.")), tools: true),
            conversation));
        var head = await _time.AdvanceUntilDoneAsync(ws.ReceiveUntilAsync(ev => ev.Any(e => Type(e) == "response.output_item.added")), Step);
        await ws.SendAsync(Steer(Id(head[0]), "Also answer in French"));
        var events = await _time.AdvanceUntilDoneAsync(ws.ReceiveUntilAsync(ev => ev.Any(e => Type(e) == "response.steer.failed")), Step);

        var failed = events.Single(e => Type(e) == "response.steer.failed");
        Assert.Equal("steering_not_supported", failed.GetProperty("error").GetProperty("code").GetString());
        Assert.DoesNotContain(events, e => Type(e) == "response.steer.pending");
        Assert.Equal("response.completed", Type(events.Single(IsResponseTerminal)));

        // The socket and the conversation go on: the tool output is the conversation's next turn.
        string callId = Response(events.Single(IsResponseTerminal)).GetProperty("output").EnumerateArray()
            .Single(i => i.GetProperty("type").GetString() == "function_call").GetProperty("call_id").GetString()!;
        await ws.CreateAsync(InConversation(Request(Slow, true, Items(ToolOutput(callId, "Sunny, 21 C")), tools: true), conversation));
        var next = await _time.AdvanceUntilDoneAsync(ws.ReceiveTurnAsync(), Step);
        Assert.Equal("response.completed", Type(Last(next)));
    }

    private static JsonObject InConversation(JsonObject body, string conversation)
    {
        body["conversation"] = conversation;
        return body;
    }

    private static async Task<string> CreateConversationAsync(WsTestHost host)
    {
        using var client = host.CreateClient(null);
        using var content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/v1/conversations", content, WsTestHost.GuardToken());
        Assert.Equal(200, (int)response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<List<JsonElement>> ConversationItemsAsync(WsTestHost host, string conversation)
    {
        using var client = host.CreateClient(null);
        string body = await client.GetStringAsync($"/v1/conversations/{conversation}/items?order=asc&limit=100", WsTestHost.GuardToken());
        return JsonDocument.Parse(body).RootElement.GetProperty("data").EnumerateArray()
            .Where(i => i.GetProperty("type").GetString() == "message").Select(i => i.Clone()).ToList();
    }
}
