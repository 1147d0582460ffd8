using Loopwire.Client.Sessions;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Server.Hosting;
using static Loopwire.Client.Tests.Support.LoopwireServer;

namespace Loopwire.Client.Tests.Sessions;

/// <summary>The gRPC and HTTP polling transports against a real Kestrel on loopback (gRPC on its HTTP/2 cleartext port).</summary>
public sealed class ResponseSessionGrpcPollingTests : IAsyncLifetime
{
    private LoopbackServer? _server;

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync(new Dictionary<string, string?>
    {
        ["Loopwire:ApiKeys:0"] = "sk-test",
    });

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private ResponseSessionOptions Session(SessionTransport transport, string key = "sk-test") => new()
    {
        Endpoint = _server!.BaseUrl,
        GrpcEndpoint = _server.GrpcUrl,
        Transport = transport,
        ApiKey = key,
        PollInterval = TimeSpan.FromMilliseconds(5),
        MaxConnectAttempts = 1,
    };

    [Theory]
    [InlineData(SessionTransport.Grpc)]
    [InlineData(SessionTransport.HttpPolling)]
    public async Task RunTurn_ThreeTurns_ContinuesWithDeltas(SessionTransport transport)
    {
        await using var session = new ResponseSession(Session(transport));
        List<ResponseItem> conversation = [User("Hello there.")];
        string? previous = null;
        for (int turn = 0; turn < 3; turn++)
        {
            var result = await session.RunTurnAsync(conversation, Options());

            Assert.Equal(ResponseStatus.Completed, result.Response.Status);
            Assert.Equal(previous, result.Response.PreviousResponseId);
            Assert.Equal(turn > 0, result.Metrics.UsedPreviousResponseId);
            Assert.Equal(1, result.Metrics.ItemsSent); // the first message, then only the new user message
            previous = result.Response.Id;
            conversation.AddRange(result.Output);
            conversation.Add(User($"And then ({turn})?"));
        }
    }

    [Fact]
    public async Task RunTurn_Grpc_StreamsTheSameEventsAsWebSocket()
    {
        var grpcTypes = await EventTypesAsync(SessionTransport.Grpc);
        var wsTypes = await EventTypesAsync(SessionTransport.WebSocket);

        Assert.Equal(wsTypes, grpcTypes);
        Assert.Contains("response.output_text.delta", grpcTypes);
    }

    [Fact]
    public async Task RunTurn_Polling_OneTerminalEventFromTheStoredResponse()
    {
        var types = await EventTypesAsync(SessionTransport.HttpPolling);

        Assert.Equal(["response.completed"], types);
    }

    [Fact]
    public async Task RunTurn_Grpc_ChainUnknownToANewStream_ReplaysTheFullConversation()
    {
        List<ResponseItem> conversation = [User("Hello there.")];
        SessionCheckpoint checkpoint;
        await using (var first = new ResponseSession(Session(SessionTransport.Grpc)))
        {
            var result = await first.RunTurnAsync(conversation, Options());
            conversation.AddRange(result.Output);
            checkpoint = first.Checkpoint!;
        }

        // store: false and a new stream: the server answers previous_response_not_found and the session replays.
        await using var resumed = new ResponseSession(Session(SessionTransport.Grpc), checkpoint);
        conversation.Add(User("And then?"));
        var next = await resumed.RunTurnAsync(conversation, Options());

        Assert.Equal(ResponseStatus.Completed, next.Response.Status);
        Assert.Equal(1, next.Metrics.Replays);
        Assert.Null(next.Response.PreviousResponseId);
    }

    [Theory]
    [InlineData(SessionTransport.Grpc)]
    [InlineData(SessionTransport.HttpPolling)]
    public async Task RunTurn_WrongApiKey_ThrowsUnauthorized(SessionTransport transport)
    {
        await using var session = new ResponseSession(Session(transport, "sk-wrong"));

        var ex = await Assert.ThrowsAsync<ResponsesApiException>(() => session.RunTurnAsync([User("Hi.")], Options()));

        Assert.Equal(401, ex.Status);
    }

    private async Task<List<string>> EventTypesAsync(SessionTransport transport)
    {
        await using var session = new ResponseSession(Session(transport));
        var types = new List<string>();
        await foreach (var update in session.StreamTurnAsync([User("Say something.")], Options()))
        {
            if (update.Event is { } e)
            {
                types.Add(e.EventType);
            }
        }

        return types;
    }
}
