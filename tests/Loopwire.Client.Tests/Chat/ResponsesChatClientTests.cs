using Loopwire.Client.Sessions;
using Loopwire.Client.Tests.Support;
using Loopwire.Protocol.Items;
using Microsoft.Extensions.AI;

namespace Loopwire.Client.Tests.Chat;

public sealed class ResponsesChatClientTests(LoopwireServer server) : IClassFixture<LoopwireServer>
{
    public static TheoryData<SessionTransport, bool> Cases()
    {
        var data = new TheoryData<SessionTransport, bool>();
        // gRPC needs a real HTTP/2 port (ResponseSessionGrpcPollingTests); this fixture is an in-process server.
        foreach (var transport in Enum.GetValues<SessionTransport>().Where(t => t != SessionTransport.Grpc))
        {
            data.Add(transport, false);
            if (transport != SessionTransport.HttpPolling)
            {
                // Polling streams nothing: the final response arrives as one terminal event.
                data.Add(transport, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task FunctionInvokingClient_ToolLoop_Completes(SessionTransport transport, bool streaming)
    {
        await using var session = new ResponseSession(server.SessionOptions(transport));
        int calls = 0;
        var lookup = AIFunctionFactory.Create((string city) =>
        {
            calls++;
            return $"Sunny in {city}";
        }, "lookup", "Looks up the weather of a city.");
        using var client = session.AsIChatClient(LoopwireServer.Model).AsBuilder().UseFunctionInvocation().Build();
        var options = new ChatOptions { Tools = [lookup], Instructions = "You are terse.", Temperature = 0.5f };
        List<ChatMessage> messages = [new(ChatRole.User, "Please call lookup for Paris.")];

        ChatResponse response = streaming
            ? await client.GetStreamingResponseAsync(messages, options).ToChatResponseAsync()
            : await client.GetResponseAsync(messages, options);

        Assert.Equal(1, calls);
        Assert.Contains("Sunny in city", response.Text, StringComparison.Ordinal);
        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        var call = Assert.Single(contents.OfType<FunctionCallContent>());
        var result = Assert.Single(contents.OfType<FunctionResultContent>());
        Assert.Equal(call.CallId, result.CallId);
        Assert.Equal("lookup", call.Name);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(transport != SessionTransport.HttpStateless, response.ConversationId is not null);
        if (!streaming)
        {
            // The second model call: only the tool result went out, as a continuation, when the transport chains.
            var metrics = Assert.IsType<TurnResult>(response.RawRepresentation).Metrics;
            bool chained = transport is SessionTransport.WebSocket or SessionTransport.HttpChained or SessionTransport.HttpPolling
                or SessionTransport.Grpc;
            Assert.Equal(chained, metrics.UsedPreviousResponseId);
            Assert.Equal(chained ? 1 : 3, metrics.ItemsSent);
        }
    }

    [Fact]
    public async Task GetResponse_ConversationIdPassed_SendsOnlyNewMessages()
    {
        await using var session = new ResponseSession(server.SessionOptions(SessionTransport.WebSocket));
        var client = session.AsIChatClient(LoopwireServer.Model);

        var first = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Hello there.")]);
        var second = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "And then?")],
            new ChatOptions { ConversationId = first.ConversationId });

        var metrics = Assert.IsType<TurnResult>(second.RawRepresentation).Metrics;
        Assert.True(metrics.UsedPreviousResponseId);
        Assert.Equal(1, metrics.ItemsSent);
        Assert.Equal(first.ConversationId, Assert.IsType<TurnResult>(second.RawRepresentation).Response.PreviousResponseId);
        Assert.NotEqual(first.ConversationId, second.ConversationId);
    }

    [Fact]
    public async Task GetResponse_FullHistoryWithReturnedMessages_SendsDelta()
    {
        await using var session = new ResponseSession(server.SessionOptions(SessionTransport.WebSocket));
        var client = session.AsIChatClient(LoopwireServer.Model);
        List<ChatMessage> history = [new(ChatRole.User, "Hello there.")];

        var first = await client.GetResponseAsync(history);
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.User, "And then?"));
        var second = await client.GetResponseAsync(history);

        var metrics = Assert.IsType<TurnResult>(second.RawRepresentation).Metrics;
        Assert.True(metrics.UsedPreviousResponseId);
        Assert.Equal(1, metrics.ItemsSent);
    }

    [Fact]
    public async Task GetResponse_UnknownConversationIdStoredOverHttp_ContinuesServerSide()
    {
        await using var writer = new ResponseSession(server.SessionOptions(SessionTransport.HttpChained));
        var first = await writer.AsIChatClient(LoopwireServer.Model).GetResponseAsync([new ChatMessage(ChatRole.User, "Hello there.")]);
        await using var reader = new ResponseSession(server.SessionOptions(SessionTransport.HttpChained));

        var second = await reader.AsIChatClient(LoopwireServer.Model).GetResponseAsync([new ChatMessage(ChatRole.User, "And then?")],
            new ChatOptions { ConversationId = first.ConversationId });

        var turn = Assert.IsType<TurnResult>(second.RawRepresentation);
        Assert.Equal(first.ConversationId, turn.Response.PreviousResponseId);
        Assert.Equal(1, turn.Metrics.ItemsSent);
    }

    [Fact]
    public void GetService_Metadata_ReturnsLoopwireProvider()
    {
        var session = new ResponseSession(server.SessionOptions(SessionTransport.WebSocket));
        var client = session.AsIChatClient("sim-spark");

        var metadata = client.GetService<ChatClientMetadata>();

        Assert.Equal("loopwire", metadata?.ProviderName);
        Assert.Equal("sim-spark", metadata?.DefaultModelId);
        Assert.Same(session, client.GetService<ResponseSession>());
    }

    [Fact]
    public void ToRequest_ChatOptions_MapsEveryField()
    {
        var f = AIFunctionFactory.Create((int n) => n, "twice");
        var request = Client.Chat.ChatMapping.ToRequest(new ChatOptions
        {
            ModelId = "m",
            Temperature = 0.25f,
            TopP = 0.5f,
            MaxOutputTokens = 42,
            Instructions = "Be brief.",
            Tools = [f],
            ToolMode = ChatToolMode.RequireSpecific("twice"),
            AllowMultipleToolCalls = false,
        }, "default");

        Assert.Equal("m", request.Model);
        Assert.Equal(0.25, request.Temperature!.Value, 3);
        Assert.Equal(0.5, request.TopP!.Value, 3);
        Assert.Equal(42, request.MaxOutputTokens);
        Assert.Equal("Be brief.", request.Instructions!.Value.GetString());
        var tool = Assert.Single(request.Tools!);
        Assert.Equal("function", tool.Type);
        Assert.Equal("twice", tool.Name);
        Assert.Equal("object", tool.Parameters!.Value.GetProperty("type").GetString());
        Assert.Equal("twice", request.ToolChoice!.Value.GetProperty("name").GetString());
        Assert.False(request.ParallelToolCalls);
    }

    [Fact]
    public void ToItems_ReturnedMessage_MapsBackToSameItemInstances()
    {
        var item = new MessageItem { Id = "msg_1", Role = "assistant", Content = Protocol.Items.MessageContent.FromParts([ContentPart.OutputText("a"), ContentPart.OutputText("b")]) };
        var call = new FunctionCallItem { Id = "fc_1", CallId = "call_1", Name = "f", Arguments = """{"x":1}""" };
        var message = Client.Chat.ChatMapping.ToMessage(new Protocol.Responses.ResponseObject { Id = "resp_1", Status = "completed", Model = "m", Output = [item, call] });

        var items = Client.Chat.ChatMapping.ToItems([message, new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", 2)])]);

        Assert.Equal(3, items.Count);
        Assert.Same(item, items[0]);
        Assert.Same(call, items[1]);
        var output = Assert.IsType<FunctionCallOutputItem>(items[2]);
        Assert.Equal("2", output.Output.JoinedText());
    }
}
