using System.Text.Json;
using Loopwire.Client.Sessions;
using Loopwire.Client.Tests.Support;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Serialization;
using static Loopwire.Client.Tests.Support.LoopwireServer;

namespace Loopwire.Client.Tests.Sessions;

public sealed class ResponseSessionDeltaTests(LoopwireServer server) : IClassFixture<LoopwireServer>
{
    [Fact]
    public async Task RunTurn_AppendedItems_SendsOnlyNewItemsWithPreviousResponseId()
    {
        await using var session = new ResponseSession(server.SessionOptions(SessionTransport.WebSocket));
        var options = Options();
        List<ResponseItem> conversation = [User("Hello there.")];

        var first = await session.RunTurnAsync(conversation, options);
        conversation.AddRange(first.Output);
        conversation.Add(User("And then?"));
        var second = await session.RunTurnAsync(conversation, options);

        Assert.Equal(ResponseStatus.Completed, second.Response.Status);
        Assert.True(second.Metrics.UsedPreviousResponseId);
        Assert.Equal(1, second.Metrics.ItemsSent);
        var sent = LastSent();
        Assert.Equal(first.Response.Id, sent.GetProperty("previous_response_id").GetString());
        Assert.Equal(1, sent.GetProperty("input").GetArrayLength());
        Assert.Equal(first.Response.Id, second.Response.PreviousResponseId);
    }

    [Fact]
    public async Task RunTurn_EqualItemsAsNewInstances_SendsDelta()
    {
        await using var session = new ResponseSession(server.SessionOptions(SessionTransport.WebSocket));
        var options = Options();
        List<ResponseItem> conversation = [User("Hello there.")];
        var first = await session.RunTurnAsync(conversation, options);

        // The caller rebuilt its history from JSON: different instances, same values.
        var copies = conversation.Concat(first.Output)
            .Select(i => JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(i, ProtocolJsonContext.Wire.ResponseItem), ProtocolJsonContext.Wire.ResponseItem)!)
            .ToList();
        copies.Add(User("More."));
        var second = await session.RunTurnAsync(copies, Options());

        Assert.True(second.Metrics.UsedPreviousResponseId);
        Assert.Equal(1, second.Metrics.ItemsSent);
    }

    [Fact]
    public async Task RunTurn_EditedHistory_SendsFullContextWithoutPreviousResponseId()
    {
        await using var session = new ResponseSession(server.SessionOptions(SessionTransport.WebSocket));
        var options = Options();
        List<ResponseItem> conversation = [User("Hello there.")];
        var first = await session.RunTurnAsync(conversation, options);

        List<ResponseItem> edited = [User("Hello, edited."), .. first.Output, User("And then?")];
        var second = await session.RunTurnAsync(edited, options);

        Assert.False(second.Metrics.UsedPreviousResponseId);
        Assert.Equal(3, second.Metrics.ItemsSent);
        var sent = LastSent();
        Assert.False(sent.TryGetProperty("previous_response_id", out _));
        Assert.Equal(3, sent.GetProperty("input").GetArrayLength());
    }

    [Theory]
    [InlineData("instructions")]
    [InlineData("tools")]
    [InlineData("model")]
    public async Task RunTurn_ChangedOptions_SendsFullContext(string change)
    {
        await using var session = new ResponseSession(server.SessionOptions(SessionTransport.WebSocket));
        List<ResponseItem> conversation = [User("Hello there.")];
        var first = await session.RunTurnAsync(conversation, Options());
        conversation.AddRange(first.Output);
        conversation.Add(User("And then?"));

        var changed = change switch
        {
            "instructions" => Options("You are verbose."),
            "tools" => Options(tools: []),
            _ => Options() with { Model = "sim-spark" },
        };
        var second = await session.RunTurnAsync(conversation, changed);

        Assert.False(second.Metrics.UsedPreviousResponseId);
        Assert.Equal(3, second.Metrics.ItemsSent);
        Assert.False(LastSent().TryGetProperty("previous_response_id", out _));
    }

    [Fact]
    public async Task RunTurn_ChangedMetadataOnly_StillSendsDelta()
    {
        await using var session = new ResponseSession(server.SessionOptions(SessionTransport.WebSocket));
        List<ResponseItem> conversation = [User("Hello there.")];
        var first = await session.RunTurnAsync(conversation, Options());
        conversation.AddRange(first.Output);
        conversation.Add(User("And then?"));

        var second = await session.RunTurnAsync(conversation, Options() with { ClientMetadata = new() { ["traceparent"] = "00-abc" } });

        Assert.True(second.Metrics.UsedPreviousResponseId);
    }

    [Fact]
    public async Task RunTurn_FullReplayTransport_NeverSendsPreviousResponseId()
    {
        await using var session = new ResponseSession(server.SessionOptions(SessionTransport.WebSocketFullReplay));
        var options = Options();
        List<ResponseItem> conversation = [User("Hello there.")];
        var first = await session.RunTurnAsync(conversation, options);
        conversation.AddRange(first.Output);
        conversation.Add(User("And then?"));

        var second = await session.RunTurnAsync(conversation, options);

        Assert.False(second.Metrics.UsedPreviousResponseId);
        Assert.Equal(3, second.Metrics.ItemsSent);
    }

    [Fact]
    public async Task WarmUp_ThenTurn_SendsEmptyContinuationOfWarmUp()
    {
        await using var session = new ResponseSession(server.SessionOptions(SessionTransport.WebSocket));
        var options = Options();
        List<ResponseItem> conversation = [User("Hello there.")];

        var warm = await session.WarmUpAsync(conversation, options);
        var turn = await session.RunTurnAsync(conversation, options);

        Assert.NotNull(warm);
        Assert.Empty(warm.Output);
        Assert.True(turn.Metrics.UsedPreviousResponseId);
        Assert.Equal(0, turn.Metrics.ItemsSent);
        Assert.Equal(warm.Response.Id, turn.Response.PreviousResponseId);
        Assert.NotEmpty(turn.Output);
    }

    [Fact]
    public async Task RunTurn_WarmUpAfterConnect_WarmsUpThenContinues()
    {
        var options = server.SessionOptions(SessionTransport.WebSocket);
        options.WarmUpAfterConnect = true;
        await using var session = new ResponseSession(options);

        var turn = await session.RunTurnAsync([User("Hello there.")], Options());

        Assert.Equal(2, turn.Metrics.Requests);
        Assert.True(turn.Metrics.UsedPreviousResponseId);
        var sent = server.Sockets[^1].Sent;
        Assert.Contains("\"generate\":false", sent[0], StringComparison.Ordinal);
    }

    private JsonElement LastSent() => JsonDocument.Parse(server.Sockets[^1].Sent[^1]).RootElement;
}
