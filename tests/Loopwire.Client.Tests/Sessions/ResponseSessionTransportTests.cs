using Loopwire.Client.Sessions;
using Loopwire.Client.Tests.Support;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using static Loopwire.Client.Tests.Support.LoopwireServer;

namespace Loopwire.Client.Tests.Sessions;

public sealed class ResponseSessionTransportTests(LoopwireServer server) : IClassFixture<LoopwireServer>
{
    /// <summary>user names the tool → function_call; tool output → text; another user message → text.</summary>
    internal static async Task<(List<TurnResult> Turns, List<ResponseItem> Conversation)> ToolConversationAsync(ResponseSession session)
    {
        var options = Options();
        var turns = new List<TurnResult>();
        List<ResponseItem> conversation = [User("Please call lookup for Paris.")];

        var first = await session.RunTurnAsync(conversation, options);
        turns.Add(first);
        conversation.AddRange(first.Output);
        var call = Assert.IsType<FunctionCallItem>(Assert.Single(first.Output));
        conversation.Add(ToolOutput(call.CallId, "Paris: sunny, 21 C."));

        var second = await session.RunTurnAsync(conversation, options);
        turns.Add(second);
        conversation.AddRange(second.Output);
        conversation.Add(User("Thanks. Anything else?"));

        var third = await session.RunTurnAsync(conversation, options);
        turns.Add(third);
        conversation.AddRange(third.Output);
        return (turns, conversation);
    }

    [Fact]
    public async Task RunTurn_ToolConversationOnEveryTransport_ProducesIdenticalOutput()
    {
        var outputs = new Dictionary<SessionTransport, string>();
        // gRPC needs a real HTTP/2 port (ResponseSessionGrpcPollingTests); this fixture is an in-process server.
        foreach (var transport in Enum.GetValues<SessionTransport>().Where(t => t != SessionTransport.Grpc))
        {
            await using var session = new ResponseSession(server.SessionOptions(transport));
            var (turns, conversation) = await ToolConversationAsync(session);

            Assert.All(turns, t => Assert.Equal(ResponseStatus.Completed, t.Response.Status));
            Assert.IsType<MessageItem>(Assert.Single(turns[1].Output));
            Assert.IsType<MessageItem>(Assert.Single(turns[2].Output));
            bool chained = transport is SessionTransport.WebSocket or SessionTransport.HttpChained or SessionTransport.HttpPolling
                or SessionTransport.Grpc;
            Assert.False(turns[0].Metrics.UsedPreviousResponseId);
            Assert.Equal(chained, turns[1].Metrics.UsedPreviousResponseId);
            Assert.Equal(chained, turns[2].Metrics.UsedPreviousResponseId);
            Assert.Equal(chained ? 1 : 3, turns[1].Metrics.ItemsSent);
            Assert.Equal(chained ? 1 : 5, turns[2].Metrics.ItemsSent);
            Assert.All(turns, t => Assert.True(t.Metrics.BytesSent > 0 && t.Metrics.BytesReceived > 0));
            Assert.Equal(6, conversation.Count);
            outputs[transport] = WithoutIds(turns.SelectMany(t => t.Output));
        }

        var reference = outputs[SessionTransport.HttpStateless];
        Assert.All(outputs, kv => Assert.Equal(reference, kv.Value));
    }

    [Theory]
    [InlineData(SessionTransport.WebSocket)]
    [InlineData(SessionTransport.HttpChained)]
    public async Task RunTurn_Chained_StoreMatchesTransport(SessionTransport transport)
    {
        await using var session = new ResponseSession(server.SessionOptions(transport));

        var turn = await session.RunTurnAsync([User("Hi.")], Options());

        Assert.Equal(transport == SessionTransport.HttpChained, turn.Response.Store);
    }

    [Theory]
    [InlineData(SessionTransport.WebSocket)]
    [InlineData(SessionTransport.HttpStateless)]
    public async Task StreamTurn_TextAnswer_SurfacesEventsOnceThenResult(SessionTransport transport)
    {
        await using var session = new ResponseSession(server.SessionOptions(transport));
        var updates = new List<SessionUpdate>();

        await foreach (var u in session.StreamTurnAsync([User("Hi.")], Options()))
        {
            updates.Add(u);
        }

        var result = Assert.IsType<TurnResult>(updates[^1].Result);
        Assert.All(updates.SkipLast(1), u => Assert.NotNull(u.Event));
        Assert.Equal(Enumerable.Range(0, updates.Count - 1), updates.SkipLast(1).Select(u => u.Event!.SequenceNumber));
        Assert.Equal("response.completed", updates[^2].Event!.EventType);
        Assert.NotNull(result.Metrics.TimeToFirstToken);
    }
}
