using System.Net.WebSockets;
using Loopwire.Client.Sessions;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Server.Tests.Upstream;
using Loopwire.Server.WebSockets;
using Loopwire.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Soak;

/// <summary>
/// A bounded soak with lanes: 4 sockets carry 4 lanes (<c>stream_id</c>) each, every lane runs a fixed number of tool-loop
/// turns concurrently with its neighbours, and two of the sockets are aborted between turns (all their lanes lose the
/// connection at once); no errors, no lost or duplicated items, no leaked connection.
/// </summary>
public sealed class LaneSoakTests(ITestOutputHelper output)
{
    private const int Sockets = 4;
    private const int LanesPerSocket = 4;
    private const int Turns = 16;

    /// <summary>A hang guard for the connection registry to drain, not a timing assertion.</summary>
    private static readonly TimeSpan DrainGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Soak_LanesOverSharedSocketsWithDrops_NoErrorsNoLostItems()
    {
        await using var app = await LoopbackApp.StartLoopwireAsync(null, ("Loopwire:Limits:RequestsPerWindow", "0"));
        var registry = app.App.Services.GetRequiredService<WebSocketConnectionRegistry>();
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var results = await Task.WhenAll(Enumerable.Range(0, Sockets).Select(i => Task.Run(() => RunSocketAsync(app, i, hangGuard.Token))));

        bool drained = await Eventually.UntilAsync(() => registry.Count == 0, DrainGuard);
        var lanes = results.SelectMany(r => r.Lanes).ToList();
        output.WriteLine($"{Sockets} sockets x {LanesPerSocket} lanes x {Turns} turns = {lanes.Sum(l => l.Turns)} turns; " +
            $"{results.Sum(r => r.Drops)} injected drops, {results.Sum(r => r.Connections)} connections opened");
        Assert.All(lanes, l => Assert.Null(l.Error));
        Assert.Equal(Sockets * LanesPerSocket * Turns, lanes.Sum(l => l.Turns));
        Assert.True(results.Sum(r => r.Drops) > 0, "no drop was injected");
        Assert.True(drained, $"{registry.Count} WebSocket connection(s) leaked");
    }

    private static async Task<SocketResult> RunSocketAsync(LoopbackApp app, int index, CancellationToken ct)
    {
        ClientWebSocket? current = null;
        int connections = 0;
        await using var owner = new ResponseSession(new ResponseSessionOptions
        {
            Endpoint = app.BaseAddress,
            Transport = SessionTransport.WebSocket,
            MaxConnectAttempts = 6,
            MaxReplays = 6,
            Connector = async (uri, headers, token) =>
            {
                var ws = new ClientWebSocket();
                foreach (var (k, v) in headers)
                {
                    ws.Options.SetRequestHeader(k, v);
                }

                await ws.ConnectAsync(uri, token);
                current = ws;
                Interlocked.Increment(ref connections);
                return ws;
            },
        });
        var sessions = Enumerable.Range(0, LanesPerSocket).Select(l => owner.Lane($"s{index}-lane{l}")).ToList();
        int drops = 0;
        // Injected faults: on every other socket, lane 0 aborts the shared socket before some of its turns, while the other
        // lanes of that socket are mid-turn (bounded: three drops per such socket).
        void BeforeTurn(int lane, int turn)
        {
            if (index % 2 == 0 && lane == 0 && turn % 4 == 3 && current is { State: WebSocketState.Open } victim)
            {
                victim.Abort();
                drops++;
            }
        }

        try
        {
            var lanes = await Task.WhenAll(sessions.Select((s, l) => RunLaneAsync(s, $"{index}.{l}", t => BeforeTurn(l, t), ct)));
            return new SocketResult(lanes, drops, connections);
        }
        finally
        {
            foreach (var s in sessions)
            {
                await s.DisposeAsync();
            }
        }
    }

    /// <summary>One lane: user names the tool → function_call; its output → text; a new user message; repeat.</summary>
    private static async Task<LaneResult> RunLaneAsync(ResponseSession session, string name, Action<int> beforeTurn, CancellationToken ct)
    {
        var options = new CreateResponseRequest { Model = "sim-instant", Tools = Conversation.LookupTools };
        List<ResponseItem> conversation = [Conversation.User($"Lane {name}: please call lookup for Paris.")];
        int done = 0;
        try
        {
            for (int t = 0; t < Turns; t++)
            {
                beforeTurn(t);
                var result = await session.RunTurnAsync(conversation, options, ct);
                if (result.Response.Status != "completed")
                {
                    return new LaneResult(done, $"lane {name} turn {t}: status {result.Response.Status}");
                }

                var item = Assert.Single(result.Output);
                conversation.Add(item);
                if (t % 2 == 0)
                {
                    var call = Assert.IsType<FunctionCallItem>(item);
                    conversation.Add(Conversation.ToolOutput(call.CallId, $"Paris: sunny, {t} C."));
                }
                else
                {
                    Assert.IsType<MessageItem>(item);
                    conversation.Add(Conversation.User($"Thanks. Now call lookup for city number {t}."));
                }

                done++;
            }

            // Nothing lost, nothing doubled: one item per turn plus what the client added, output ids unique, calls answered.
            Assert.Equal(1 + 2 * Turns, conversation.Count);
            var ids = conversation.Where(i => i is FunctionCallItem or MessageItem { Role: "assistant" }).Select(i => i.Id).ToList();
            Assert.Equal(Turns, ids.Count);
            Assert.Equal(ids.Count, ids.Distinct().Count());
            var calls = conversation.OfType<FunctionCallItem>().Select(c => c.CallId).ToList();
            Assert.Equal(calls, conversation.OfType<FunctionCallOutputItem>().Select(o => o.CallId).ToList());
            return new LaneResult(done, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new LaneResult(done, $"lane {name} turn {done}: {ex}");
        }
    }

    private sealed record LaneResult(int Turns, string? Error);

    private sealed record SocketResult(IReadOnlyList<LaneResult> Lanes, int Drops, int Connections);
}
