using System.Net.WebSockets;
using Loopwire.Client.Sessions;
using Loopwire.Client.Tests.Support;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Streaming;
using Loopwire.TestKit;
using Microsoft.Extensions.Time.Testing;
using static Loopwire.Client.Tests.Support.LoopwireServer;

namespace Loopwire.Client.Tests.Sessions;

public sealed class ResponseSessionRecoveryTests(LoopwireServer server) : IClassFixture<LoopwireServer>
{
    private const string LimitEnvelope =
        """{"type":"error","status":400,"error":{"type":"invalid_request_error","code":"websocket_connection_limit_reached","message":"Responses websocket connection limit reached (60 minutes). Create a new websocket connection to continue.","param":null}}""";

    private const string FakeCreated =
        """{"type":"response.created","sequence_number":0,"response":{"id":"resp_fake","object":"response","created_at":0,"status":"in_progress","model":"sim-instant","output":[]}}""";

    [Fact]
    public async Task RunTurn_ResumedCheckpointOnNewConnection_ReplaysFullContextAfterNotFound()
    {
        List<ResponseItem> conversation = [User("Hello there.")];
        SessionCheckpoint checkpoint;
        TurnResult expected;
        await using (var first = new ResponseSession(server.SessionOptions(SessionTransport.WebSocket)))
        {
            var turn = await first.RunTurnAsync(conversation, Options());
            conversation.AddRange(turn.Output);
            conversation.Add(User("And then?"));
            checkpoint = first.Checkpoint!;
            expected = await first.RunTurnAsync(conversation, Options());
            Assert.True(expected.Metrics.UsedPreviousResponseId);
        }

        // A new session (new connection, empty server cache, store=false) resumes from the first turn's checkpoint.
        await using var resumed = new ResponseSession(server.SessionOptions(SessionTransport.WebSocket), checkpoint);
        var result = await resumed.RunTurnAsync(conversation, Options());

        Assert.Equal(1, result.Metrics.Replays);
        Assert.False(result.Metrics.UsedPreviousResponseId);
        Assert.Equal(1 + conversation.Count, result.Metrics.ItemsSent);
        Assert.Equal(WithoutIds(expected.Output), WithoutIds(result.Output));
        var sent = server.Sockets[^1].Sent;
        Assert.Equal(2, sent.Count);
        Assert.Contains(checkpoint.ResponseId, sent[0], StringComparison.Ordinal);
        Assert.DoesNotContain("previous_response_id", sent[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunTurn_ConnectionLimitReachedEnvelope_ReconnectsAndReplays()
    {
        await using var session = new ResponseSession(server.SessionOptions(SessionTransport.WebSocket));
        var (expected, conversation) = await ReferenceAsync();
        var first = await session.RunTurnAsync(conversation[..1], Options());
        var socket = server.Sockets[^1];
        socket.Intercept = _ => new Interception([LimitEnvelope]);

        var second = await session.RunTurnAsync([.. conversation[..1], .. first.Output, conversation[2]], Options());

        Assert.Equal(1, second.Metrics.Reconnects);
        Assert.Equal(1, second.Metrics.Replays);
        Assert.False(second.Metrics.UsedPreviousResponseId);
        Assert.NotSame(socket, server.Sockets[^1]);
        Assert.Equal(WithoutIds(expected), WithoutIds(second.Output));
    }

    [Fact]
    public async Task RunTurn_ConnectionAbortedBetweenTurns_ReconnectsAndSendsDelta()
    {
        await using var session = new ResponseSession(server.SessionOptions(SessionTransport.WebSocket));
        var (expected, conversation) = await ReferenceAsync();
        var first = await session.RunTurnAsync(conversation[..1], Options());
        server.Sockets[^1].Drop();

        var second = await session.RunTurnAsync([.. conversation[..1], .. first.Output, conversation[2]], Options());

        // The server kept the dropped connection's cache detached: the delta continues on the new connection.
        Assert.Equal(1, second.Metrics.Reconnects);
        Assert.Equal(0, second.Metrics.Replays);
        Assert.True(second.Metrics.UsedPreviousResponseId);
        Assert.Equal(1, second.Metrics.ItemsSent);
        Assert.Equal(WithoutIds(expected), WithoutIds(second.Output));
    }

    [Fact]
    public async Task RunTurn_ConnectionAbortedBetweenTurnsNoDeltaAfterReconnect_ReconnectsAndReplays()
    {
        var options = server.SessionOptions(SessionTransport.WebSocket);
        options.DeltaAfterReconnect = false;
        await using var session = new ResponseSession(options);
        var (expected, conversation) = await ReferenceAsync();
        var first = await session.RunTurnAsync(conversation[..1], Options());
        server.Sockets[^1].Drop();

        var second = await session.RunTurnAsync([.. conversation[..1], .. first.Output, conversation[2]], Options());

        Assert.Equal(1, second.Metrics.Reconnects);
        Assert.Equal(1, second.Metrics.Replays);
        Assert.Equal(3, second.Metrics.ItemsSent);
        Assert.Equal(WithoutIds(expected), WithoutIds(second.Output));
    }

    [Fact]
    public async Task RunTurn_ConnectionAbortedServerKeepsNothing_DeltaThenReplayOnNotFound()
    {
        await using var strict = LoopwireServer.With(new() { ["Loopwire:WebSocket:DetachedCacheSeconds"] = "0" });
        await using var session = new ResponseSession(strict.SessionOptions(SessionTransport.WebSocket));
        List<ResponseItem> conversation = [User("Hello there.")];
        var first = await session.RunTurnAsync(conversation, Options());
        conversation.AddRange(first.Output);
        conversation.Add(User("And then?"));
        strict.Sockets[^1].Drop();

        var second = await session.RunTurnAsync(conversation, Options());

        Assert.Equal(ResponseStatus.Completed, second.Response.Status);
        Assert.Equal(1, second.Metrics.Reconnects);
        Assert.Equal(1, second.Metrics.Replays);
        Assert.False(second.Metrics.UsedPreviousResponseId);
        var sent = strict.Sockets[^1].Sent;
        Assert.Equal(2, sent.Count);
        Assert.Contains(first.Response.Id, sent[0], StringComparison.Ordinal);
        Assert.DoesNotContain("previous_response_id", sent[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamTurn_DroppedAfterFirstEvent_RetriesDeltaWithoutDuplicatedEvents()
    {
        await using var session = new ResponseSession(server.SessionOptions(SessionTransport.WebSocket));
        var (expected, conversation) = await ReferenceAsync();
        var first = await session.RunTurnAsync(conversation[..1], Options());
        server.Sockets[^1].Intercept = _ => new Interception([FakeCreated], ThenDrop: true);

        var events = new List<ResponseEvent>();
        TurnResult? result = null;
        await foreach (var u in session.StreamTurnAsync([.. conversation[..1], .. first.Output, conversation[2]], Options()))
        {
            if (u.Event is { } e)
            {
                events.Add(e);
            }

            result = u.Result ?? result;
        }

        Assert.NotNull(result);
        var created = Assert.Single(events.OfType<ResponseCreatedEvent>());
        Assert.Equal(result.Response.Id, created.Response.Id);
        Assert.Single(events, e => e.IsTerminal);
        Assert.Equal(result.Output.Count, events.OfType<OutputItemDoneEvent>().Count());
        Assert.Equal(0, result.Metrics.Replays);
        Assert.True(result.Metrics.UsedPreviousResponseId);
        Assert.Equal(WithoutIds(expected), WithoutIds(result.Output));
    }

    [Fact]
    public async Task StreamTurn_LiveEventsDroppedAfterFirstEvent_Throws()
    {
        var options = server.SessionOptions(SessionTransport.WebSocket);
        options.SurfaceEventsLive = true;
        await using var session = new ResponseSession(options);
        var first = await session.RunTurnAsync([User("Hi.")], Options());
        server.Sockets[^1].Intercept = _ => new Interception([FakeCreated], ThenDrop: true);
        int surfaced = 0;

        await Assert.ThrowsAsync<ResponsesConnectionException>(async () =>
        {
            await foreach (var u in session.StreamTurnAsync([User("Hi."), .. first.Output, User("More.")], Options()))
            {
                surfaced++;
            }
        });

        Assert.Equal(1, surfaced);
        var next = await session.RunTurnAsync([User("Hi."), .. first.Output, User("More.")], Options());
        Assert.False(next.Metrics.UsedPreviousResponseId);
    }

    [Fact]
    public async Task RunTurn_ConnectFailsTwice_RetriesWithBackoff()
    {
        await using var failing = new LoopwireServer();
        failing.BeforeConnect = n =>
        {
            if (n < 2)
            {
                throw new WebSocketException(WebSocketError.Faulted, "refused by the test");
            }
        };
        var time = new FakeTimeProvider();
        var options = failing.SessionOptions(SessionTransport.WebSocket);
        options.TimeProvider = time;
        options.ReconnectBaseDelay = TimeSpan.FromSeconds(1);
        options.ReconnectMaxDelay = TimeSpan.FromSeconds(10);
        await using var session = new ResponseSession(options);
        var start = time.GetUtcNow();

        var turn = await time.AdvanceUntilDoneAsync(session.RunTurnAsync([User("Hi.")], Options()), TimeSpan.FromMilliseconds(100));

        Assert.Equal(ResponseStatus.Completed, turn.Response.Status);
        Assert.Single(failing.Sockets);
        Assert.True(time.GetUtcNow() > start, "the retries wait on the session's clock");
    }

    [Fact]
    public async Task RunTurn_ConnectAlwaysFails_ThrowsAfterMaxAttempts()
    {
        await using var failing = new LoopwireServer();
        int attempts = 0;
        failing.BeforeConnect = _ =>
        {
            attempts++;
            throw new WebSocketException(WebSocketError.Faulted, "refused by the test");
        };
        var time = new FakeTimeProvider();
        var options = failing.SessionOptions(SessionTransport.WebSocket);
        options.MaxConnectAttempts = 3;
        options.TimeProvider = time;
        await using var session = new ResponseSession(options);

        await Assert.ThrowsAsync<ResponsesConnectionException>(
            () => time.AdvanceUntilDoneAsync(session.RunTurnAsync([User("Hi.")], Options()), TimeSpan.FromMilliseconds(10)));
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task RunTurn_ClientMaxConnectionAgeExceeded_ReconnectsProactivelyBetweenTurns()
    {
        var time = new FakeTimeProvider();
        var options = server.SessionOptions(SessionTransport.WebSocket);
        options.MaxConnectionAge = TimeSpan.FromMinutes(55);
        options.TimeProvider = time;
        await using var session = new ResponseSession(options);
        var (expected, conversation) = await ReferenceAsync();
        var first = await session.RunTurnAsync(conversation[..1], Options());
        var socket = server.Sockets[^1];
        time.Advance(TimeSpan.FromMinutes(56));

        var second = await session.RunTurnAsync([.. conversation[..1], .. first.Output, conversation[2]], Options());

        Assert.Equal(1, second.Metrics.Reconnects);
        Assert.Equal(1, second.Metrics.Replays);
        Assert.Equal(WebSocketState.Closed, socket.State);
        Assert.NotSame(socket, server.Sockets[^1]);
        Assert.Equal(WithoutIds(expected), WithoutIds(second.Output));
    }

    [Fact]
    public async Task RunTurn_ServerMaxConnectionAgeExceeded_ReconnectsAndReplays()
    {
        var time = new FakeTimeProvider();
        await using var aging = LoopwireServer.With(new() { ["Loopwire:WebSocket:MaxConnectionAge"] = "00:01:00" }, time);
        var options = aging.SessionOptions(SessionTransport.WebSocket);
        options.TimeProvider = time;
        await using var session = new ResponseSession(options);
        List<ResponseItem> conversation = [User("Hello there.")];
        var first = await session.RunTurnAsync(conversation, Options());
        conversation.AddRange(first.Output);
        conversation.Add(User("And then?"));
        time.Advance(TimeSpan.FromSeconds(90));

        var second = await session.RunTurnAsync(conversation, Options());

        Assert.Equal(ResponseStatus.Completed, second.Response.Status);
        Assert.Equal(1, second.Metrics.Reconnects);
        Assert.Equal(1, second.Metrics.Replays);
        Assert.Equal(2, aging.Sockets.Count);
    }

    [Fact]
    public async Task RunTurn_HttpChainedResponseDeleted_ReplaysFullContext()
    {
        await using var session = new ResponseSession(server.SessionOptions(SessionTransport.HttpChained));
        var (expected, conversation) = await ReferenceAsync();
        var first = await session.RunTurnAsync(conversation[..1], Options());
        await new Loopwire.Client.Http.ResponsesHttpClient(server.CreateClient()).DeleteAsync(first.Response.Id);

        var second = await session.RunTurnAsync([.. conversation[..1], .. first.Output, conversation[2]], Options());

        Assert.Equal(1, second.Metrics.Replays);
        Assert.False(second.Metrics.UsedPreviousResponseId);
        Assert.Equal(WithoutIds(expected), WithoutIds(second.Output));
    }

    /// <summary>The second turn's output of [user, answer, user], computed over stateless HTTP.</summary>
    private async Task<(IReadOnlyList<ResponseItem> Expected, List<ResponseItem> Conversation)> ReferenceAsync()
    {
        await using var reference = new ResponseSession(server.SessionOptions(SessionTransport.HttpStateless));
        List<ResponseItem> conversation = [User("Hello there.")];
        var first = await reference.RunTurnAsync(conversation, Options());
        conversation.AddRange(first.Output);
        conversation.Add(User("And then?"));
        var second = await reference.RunTurnAsync(conversation, Options());

        // Callers use conversation[..1] and conversation[2] with their own first output.
        return (second.Output, [conversation[0], first.Output[0], conversation[^1]]);
    }
}
