using Loopwire.Client.Sessions;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Streaming;
using Loopwire.TestKit;
using Microsoft.Extensions.Time.Testing;
using static Loopwire.Client.Tests.Support.LoopwireServer;

namespace Loopwire.Client.Tests.Sessions;

/// <summary>Lanes (<c>stream_id</c>): sessions sharing one WebSocket, each with its own chain; steering a running turn.</summary>
public sealed class ResponseSessionLaneTests
{
    [Fact]
    public async Task Lanes_TwoConversationsOverOneSocket_EachChainsItsOwnDelta()
    {
        await using var server = new Support.LoopwireServer();
        await using var owner = new ResponseSession(server.SessionOptions(SessionTransport.WebSocket));
        await using var a = owner.Lane("agent-a");
        await using var b = owner.Lane("agent-b");
        List<ResponseItem> convA = [User("Hello from a.")];
        List<ResponseItem> convB = [User("Hello from b.")];

        var firstA = a.RunTurnAsync(convA, Options());
        var firstB = b.RunTurnAsync(convB, Options());
        var (ra, rb) = (await firstA, await firstB);
        convA.AddRange(ra.Output);
        convA.Add(User("More a."));
        convB.AddRange(rb.Output);
        convB.Add(User("More b."));
        var secondA = a.RunTurnAsync(convA, Options());
        var secondB = b.RunTurnAsync(convB, Options());
        var (sa, sb) = (await secondA, await secondB);

        Assert.Single(server.Sockets);
        Assert.True(sa.Metrics.UsedPreviousResponseId);
        Assert.True(sb.Metrics.UsedPreviousResponseId);
        Assert.Equal(ra.Response.Id, sa.Response.PreviousResponseId);
        Assert.Equal(rb.Response.Id, sb.Response.PreviousResponseId);
        Assert.Equal("agent-a", a.StreamId);
    }

    [Fact]
    public async Task Lane_InvalidStreamIdOrHttpSession_Refused()
    {
        var options = new ResponseSessionOptions { Endpoint = new Uri("http://127.0.0.1:1/"), Transport = SessionTransport.HttpChained };
        await using var ws = new ResponseSession(new ResponseSessionOptions { Endpoint = new Uri("http://127.0.0.1:1/") });
        await using var http = new ResponseSession(options);

        Assert.Throws<ArgumentException>(() => ws.Lane("a/b"));
        Assert.Throws<InvalidOperationException>(() => http.Lane("a"));
    }

    [Fact]
    public async Task SteerAsync_MidTurn_TurnEndsWithSuccessorThatReflectsSteer()
    {
        var time = new FakeTimeProvider();
        await using var server = Support.LoopwireServer.With(new Dictionary<string, string>(), time);
        var options = server.SessionOptions(SessionTransport.WebSocket);
        options.SurfaceEventsLive = true;
        await using var session = new ResponseSession(options);
        var request = Options() with { Model = Requests.SlowModel, Tools = [] };

        var updates = new List<SessionUpdate>();
        bool steered = false;
        var turn = Task.Run(async () =>
        {
            await foreach (var u in session.StreamTurnAsync([User("Tell me about sockets.")], request))
            {
                updates.Add(u);
                if (!steered && u.Event is OutputTextDeltaEvent)
                {
                    steered = await session.SteerAsync([User("Talk about caching instead")]);
                }
            }
        });
        await time.AdvanceUntilDoneAsync(turn, TimeSpan.FromMilliseconds(50));

        var result = updates[^1].Result!;
        var target = updates.Select(u => u.Event).OfType<ResponseIncompleteEvent>().Single();
        Assert.True(steered);
        Assert.Contains(updates, u => u.Event is SteerAcceptedEvent);
        Assert.Equal("steered", target.Response.IncompleteDetails?.Reason);
        Assert.Equal(ResponseStatus.Completed, result.Response.Status);
        Assert.Equal(target.Response.Id, result.Response.PreviousResponseId);
        var text = result.Response.Output.OfType<MessageItem>().Single().Content.JoinedText();
        Assert.StartsWith("Changing course as asked: Talk about caching instead", text, StringComparison.Ordinal);
    }
}
