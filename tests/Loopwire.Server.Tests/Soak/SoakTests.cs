using System.Diagnostics;
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
/// A bounded soak: 16 concurrent WebSocket sessions (ResponseSession) run a fixed number of tool-loop turns each on a real
/// Kestrel socket, some connections are aborted between turns; no errors, no lost or duplicated items, flat heap.
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    private const int Sessions = 16;
    private const int TurnsPerSession = 40;

    /// <summary>The heap after may exceed the heap before by this much.</summary>
    private const long HeapBound = 32L * 1024 * 1024;

    /// <summary>A hang guard for the connection registry to drain, not a timing assertion.</summary>
    private static readonly TimeSpan DrainGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Soak_SixteenSessionsWithDrops_NoErrorsNoLostItemsFlatHeap()
    {
        await using var app = await LoopbackApp.StartLoopwireAsync(null, ("Loopwire:Limits:RequestsPerWindow", "0"));
        var registry = app.App.Services.GetRequiredService<WebSocketConnectionRegistry>();
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        // Warm up (JIT, pools), then the baseline.
        await RunSessionAsync(app, -1, 4, hangGuard.Token);
        await Eventually.UntilAsync(() => registry.Count == 0, DrainGuard);
        long before = GC.GetTotalMemory(forceFullCollection: true);

        var start = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(Enumerable.Range(0, Sessions).Select(i => Task.Run(() => RunSessionAsync(app, i, TurnsPerSession, hangGuard.Token))));
        var elapsed = Stopwatch.GetElapsedTime(start);

        bool drained = await Eventually.UntilAsync(() => registry.Count == 0, DrainGuard);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        int turns = results.Sum(r => r.Turns);
        int drops = results.Sum(r => r.Drops);
        int reconnects = results.Sum(r => r.Reconnects);
        output.WriteLine($"{Sessions} sessions x {TurnsPerSession} turns = {turns} turns in {elapsed.TotalSeconds:0.0} s " +
            $"({turns / elapsed.TotalSeconds:0} turns/s); {drops} injected drops, {reconnects} reconnects; " +
            $"GC heap before {before / 1024} KiB, after {after / 1024} KiB");

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal(Sessions * TurnsPerSession, turns);
        Assert.True(drops > 0, "no drop was injected");
        Assert.True(reconnects >= drops, $"{drops} drops but {reconnects} reconnects");
        Assert.True(drained, $"{registry.Count} WebSocket connection(s) leaked");
        Assert.True(after - before < HeapBound, $"heap grew by {(after - before) / 1024} KiB (bound {HeapBound / 1024} KiB)");
    }

    /// <summary>One session: user names the tool → function_call; its output → text; a new user message; repeat.</summary>
    private static async Task<SessionResult> RunSessionAsync(LoopbackApp app, int index, int turns, CancellationToken ct)
    {
        var rng = new Random(1000 + index);
        ClientWebSocket? current = null;
        var options = new CreateResponseRequest { Model = "sim-instant", Tools = Conversation.LookupTools };
        await using var session = new ResponseSession(new ResponseSessionOptions
        {
            Endpoint = app.BaseAddress,
            Transport = SessionTransport.WebSocket,
            MaxConnectAttempts = 6,
            Connector = async (uri, headers, token) =>
            {
                var ws = new ClientWebSocket();
                foreach (var (k, v) in headers)
                {
                    ws.Options.SetRequestHeader(k, v);
                }

                await ws.ConnectAsync(uri, token);
                current = ws;
                return ws;
            },
        });
        List<ResponseItem> conversation = [Conversation.User($"Session {index}: please call lookup for Paris.")];
        int drops = 0, reconnects = 0, done = 0;
        try
        {
            for (int t = 0; t < turns; t++)
            {
                // Injected faults: every fourth session loses its connection before some turns.
                if (index % 4 == 0 && t > 0 && rng.Next(4) == 0 && current is { State: WebSocketState.Open } victim)
                {
                    victim.Abort();
                    drops++;
                }

                var result = await session.RunTurnAsync(conversation, options, ct);
                reconnects += result.Metrics.Reconnects;
                if (result.Response.Status != "completed")
                {
                    return new SessionResult(done, drops, reconnects, $"turn {t}: status {result.Response.Status}");
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
            Assert.Equal(1 + 2 * turns, conversation.Count);
            var ids = conversation.Where(i => i is FunctionCallItem or MessageItem { Role: "assistant" }).Select(i => i.Id).ToList();
            Assert.Equal(turns, ids.Count);
            Assert.Equal(ids.Count, ids.Distinct().Count());
            var calls = conversation.OfType<FunctionCallItem>().Select(c => c.CallId).ToList();
            Assert.Equal(calls, conversation.OfType<FunctionCallOutputItem>().Select(o => o.CallId).ToList());
            return new SessionResult(done, drops, reconnects, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new SessionResult(done, drops, reconnects, $"session {index} turn {done}: {ex}");
        }
    }

    private sealed record SessionResult(int Turns, int Drops, int Reconnects, string? Error);
}
