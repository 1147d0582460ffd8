using Loopwire.Client.Sessions;
using Loopwire.Client.Tests.Support;
using Loopwire.Client.WebSockets;
using static Loopwire.Client.Tests.Support.LoopwireServer;

namespace Loopwire.Client.Tests.Sessions;

/// <summary>The <c>session-id</c> header: one stable id per session on every HTTP request and WebSocket upgrade; a user-set one wins.</summary>
public sealed class ResponseSessionHeaderTests(LoopwireServer server) : IClassFixture<LoopwireServer>
{
    [Theory]
    [InlineData(SessionTransport.HttpChained)]
    [InlineData(SessionTransport.HttpStateless)]
    public async Task RunTurn_Http_EveryRequestCarriesTheSameSessionId(SessionTransport transport)
    {
        var recorder = new HeaderRecorder();
        var options = server.SessionOptions(transport);
        options.HttpClient = server.CreateDefaultClient(recorder);
        await using var session = new ResponseSession(options);

        await TwoTurnsAsync(session);

        Assert.Equal(2, recorder.SessionIds.Count);
        Assert.All(recorder.SessionIds, id => Assert.Equal(session.SessionId, id));
        Assert.StartsWith("lw_", session.SessionId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunTurn_WebSocketReconnect_EveryUpgradeCarriesTheSameSessionId()
    {
        var upgrades = new List<string?>();
        var options = server.SessionOptions(SessionTransport.WebSocket);
        options.Connector = Recording(upgrades, server.Connector);
        await using var session = new ResponseSession(options);

        await session.RunTurnAsync([User("Hi.")], Options());
        session.Connection!.Abort();
        await session.RunTurnAsync([User("Hi again.")], Options());

        Assert.Equal(2, upgrades.Count);
        Assert.All(upgrades, id => Assert.Equal(session.SessionId, id));
    }

    [Fact]
    public async Task New_TwoSessions_DifferentIds()
    {
        await using var a = new ResponseSession(server.SessionOptions(SessionTransport.WebSocket));
        await using var b = new ResponseSession(server.SessionOptions(SessionTransport.WebSocket));

        Assert.NotEqual(a.SessionId, b.SessionId);
    }

    [Theory]
    [InlineData(SessionTransport.HttpChained)]
    [InlineData(SessionTransport.WebSocket)]
    public async Task RunTurn_UserSetHeader_WinsOverOptionAndGenerated(SessionTransport transport)
    {
        var recorder = new HeaderRecorder();
        var upgrades = new List<string?>();
        var options = new ResponseSessionOptions
        {
            Endpoint = server.Server.BaseAddress,
            Transport = transport,
            HttpClient = server.CreateDefaultClient(recorder),
            Connector = Recording(upgrades, server.Connector),
            SessionId = "from-option",
            Headers = { ["Session-Id"] = "from-user" },
        };
        await using var session = new ResponseSession(options);

        await session.RunTurnAsync([User("Hi.")], Options());

        Assert.Equal("from-user", session.SessionId);
        Assert.Equal("from-user", Assert.Single(transport == SessionTransport.WebSocket ? upgrades : recorder.SessionIds));
    }

    [Fact]
    public async Task RunTurn_SessionIdOption_IsSent()
    {
        var recorder = new HeaderRecorder();
        var options = server.SessionOptions(SessionTransport.HttpChained);
        options.HttpClient = server.CreateDefaultClient(recorder);
        options.SessionId = "agent-42";
        await using var session = new ResponseSession(options);

        await session.RunTurnAsync([User("Hi.")], Options());

        Assert.Equal("agent-42", Assert.Single(recorder.SessionIds));
    }

    private static async Task TwoTurnsAsync(ResponseSession session)
    {
        var conversation = new List<Protocol.Items.ResponseItem> { User("Hi.") };
        var first = await session.RunTurnAsync(conversation, Options());
        conversation.AddRange(first.Output);
        conversation.Add(User("And again."));
        await session.RunTurnAsync(conversation, Options());
    }

    private static WebSocketConnector Recording(List<string?> upgrades, WebSocketConnector inner) => (uri, headers, ct) =>
    {
        lock (upgrades)
        {
            upgrades.Add(headers.TryGetValue(ResponseSession.SessionIdHeader, out string? id) ? id : null);
        }

        return inner(uri, headers, ct);
    };

    private sealed class HeaderRecorder : DelegatingHandler
    {
        public List<string?> SessionIds { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (SessionIds)
            {
                SessionIds.Add(request.Headers.TryGetValues(ResponseSession.SessionIdHeader, out var v) ? string.Join(",", v) : null);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
