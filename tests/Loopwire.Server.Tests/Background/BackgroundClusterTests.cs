using System.Net;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Errors;
using Loopwire.Server.Tests.Http;
using Loopwire.Server.Tests.WebSockets;
using Loopwire.TestKit;
using Loopwire.Tests.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.Background.BackgroundHttp;

namespace Loopwire.Server.Tests.Background;

/// <summary>Background responses on two nodes sharing one PostgreSQL: stream, cancel and lose a node from the other one.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BackgroundClusterTests(PostgresCluster cluster, ITestOutputHelper output)
{
    [PostgresFact]
    public async Task Stream_FromOtherNodeStartingAfter_ReplaysThenFollowsLiveToTheEnd()
    {
        string store = "postgres:" + await cluster.CreateDatabaseAsync();
        await using var a = Node(store, "node-a");
        await using var b = Node(store, "node-b");
        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();

        using var post = await PostAsync(clientA, Body(SlowModel, stream: true));
        await using var original = await OpenAsync(post);
        while ((await original.NextAsync())!.Type != "response.output_text.delta")
        {
        }

        string id = original.Events[0].Json.GetProperty("response").Str("id");
        using var get = await StreamAgainAsync(clientB, id, 1);
        await using var follower = await OpenAsync(get);
        var followed = await follower.ReadToEndAsync();
        var all = await original.ReadToEndAsync();

        Assert.Equal("response.completed", followed[^1].Type);
        Assert.Equal(all.Skip(2).Select(e => (e.Name, e.Data)), followed.Select(e => (e.Name, e.Data)));
        AssertContiguous(followed, 2);
        Assert.Equal("completed", (await GetAsync(clientB, id)).Str("status"));

        // Once ended, the log alone serves a replay on the other node, from the start.
        using var again = await StreamAgainAsync(clientB, id, null);
        await using var replay = await OpenAsync(again);
        Assert.Equal(all.Select(e => e.Data), (await replay.ReadToEndAsync()).Select(e => e.Data));
    }

    [PostgresFact]
    public async Task Cancel_FromOtherNode_ReachesTheRunningNodeThroughNotify()
    {
        string store = "postgres:" + await cluster.CreateDatabaseAsync();

        // Node A's clock does not move: its run waits for its first token until cancelled, and it never renews its lease,
        // so only the NOTIFY can carry the request.
        var clockA = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = Node(store, "node-a", clockA);
        await using var b = Node(store, "node-b");
        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();
        Assert.True(await Eventually.UntilAsync(() => ListeningCount(a) >= 1, HangGuard));

        string id = await StartRunningAsync(clientA);
        using var cancel = await CancelAsync(clientB, id);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", (await ResponsesHttp.ReadJsonAsync(cancel)).Str("status"));
        Assert.Equal("cancelled", (await GetAsync(clientA, id)).Str("status"));
        Assert.Contains(a.Logs.Entries, e => e.Message.Contains($"{id} cancelled by a request on another node", StringComparison.Ordinal));
    }

    [PostgresFact]
    public async Task Cancel_AfterTheDatabaseCameBack_ListenerReconnectedAndStillReachesTheRun()
    {
        string store = "postgres:" + await cluster.CreateDatabaseAsync();
        var clockA = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = Node(store, "node-a", clockA);
        await using var b = Node(store, "node-b");
        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();
        Assert.True(await Eventually.UntilAsync(() => ListeningCount(a) >= 1, HangGuard));

        await cluster.StopAsync();
        await cluster.StartAsync();

        // The listener waits a second (on node A's clock) before it reconnects.
        Assert.True(await Eventually.UntilAsync(() =>
        {
            clockA.Advance(TimeSpan.FromSeconds(1));
            return ListeningCount(a) >= 2;
        }, HangGuard), "the cancel listener did not reconnect");
        string id = await StartRunningAsync(clientA);
        using var cancel = await CancelAsync(clientB, id);
        Assert.Equal("cancelled", (await ResponsesHttp.ReadJsonAsync(cancel)).Str("status"));
        Assert.Contains(a.Logs.Entries, e => e.Message.Contains("LISTEN loopwire_cancel) failed", StringComparison.Ordinal));
    }

    [PostgresFact]
    public async Task LeaseExpired_NodeStoppedRenewing_OtherNodeMarksItFailedNamingTheNode()
    {
        string store = "postgres:" + await cluster.CreateDatabaseAsync();

        // Node A's clock never moves: its run hangs before the first token and its lease is never renewed, as if it died.
        var frozen = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var clockB = new FakeTimeProvider(frozen.GetUtcNow());
        await using var a = Node(store, "node-a", frozen);
        await using var b = Node(store, "node-b", clockB);
        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();
        string id = (await CreateAsync(clientA, SlowModel)).Str("id");
        var runs = (IBackgroundRunStore)a.Services.GetRequiredService<IResponseStore>();
        Assert.True(await Eventually.UntilAsync(async () => (await runs.ReadEventsAsync(id, -1, 10)).NextSequence >= 2, HangGuard));

        // Past node A's lease (30 s by default); node B's sweeper runs every renew interval (10 s).
        Assert.True(await Eventually.UntilAsync(async () =>
        {
            clockB.Advance(TimeSpan.FromSeconds(10));
            return (await GetAsync(clientB, id)).Str("status") == "failed";
        }, HangGuard));

        var failed = await GetAsync(clientA, id);
        var error = failed.GetProperty("error");
        Assert.Equal(ErrorCodes.NodeLost, error.Str("code"));
        Assert.Contains("node 'node-a'", error.Str("message"), StringComparison.Ordinal);
        Assert.Contains("node 'node-b' marked it failed", error.Str("message"), StringComparison.Ordinal);

        // A stream of it on any node ends with that failure instead of waiting forever.
        using var get = await StreamAgainAsync(clientB, id, null);
        await using var replay = await OpenAsync(get);
        var events = await replay.ReadToEndAsync();
        Assert.Equal("response.failed", events[^1].Type);
        AssertContiguous(events, 0);
        Assert.Equal(ErrorCodes.NodeLost, events[^1].Json.GetProperty("response").GetProperty("error").Str("code"));
    }

    [PostgresFact]
    public async Task LeaseExpired_NodeKilledMidRun_OtherNodeMarksItFailed()
    {
        string connectionString = await cluster.CreateDatabaseAsync();
        var clockB = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var b = Node("postgres:" + connectionString, "node-b", clockB);
        using var clientB = b.CreateClient();
        string id;
        using (var a = await LoopwireProcess.ServeAsync(["--store", "postgres:" + connectionString],
            new() { ["Loopwire__Background__NodeId"] = "node-a" }))
        {
            using var clientA = new HttpClient { BaseAddress = new Uri(a.Address!) };

            // The POST answers once the queued object and the lease are stored; the run takes far longer than the kill.
            id = (await CreateAsync(clientA, SlowModel)).Str("id");
            a.Kill();
            Assert.NotNull(await a.WaitForExitAsync(HangGuard));
        }

        Assert.Contains((await GetAsync(clientB, id)).Str("status"), new[] { "queued", "in_progress" });
        Assert.True(await Eventually.UntilAsync(async () =>
        {
            clockB.Advance(TimeSpan.FromSeconds(10));
            return (await GetAsync(clientB, id)).Str("status") == "failed";
        }, HangGuard));

        var error = (await GetAsync(clientB, id)).GetProperty("error");
        Assert.Equal(ErrorCodes.NodeLost, error.Str("code"));
        Assert.Contains("node 'node-a'", error.Str("message"), StringComparison.Ordinal);
    }

    private WsTestHost Node(string store, string nodeId, params (string Key, string Value)[] settings) => Node(store, nodeId, null, settings);

    private WsTestHost Node(string store, string nodeId, TimeProvider? time, params (string Key, string Value)[] settings) =>
        new(time, output, [("Loopwire:Store", store), ("Loopwire:Background:NodeId", nodeId), .. settings]);

    private static int ListeningCount(WsTestHost host) =>
        host.Logs.Entries.Count(e => e.Message.Contains("Listening for cancel requests", StringComparison.Ordinal));

    /// <summary>Starts a slow background response and waits until it runs.</summary>
    private static async Task<string> StartRunningAsync(HttpClient client)
    {
        string id = (await CreateAsync(client, SlowModel)).Str("id");
        Assert.True(await Eventually.UntilAsync(async () => (await GetAsync(client, id)).Str("status") == "in_progress", HangGuard));
        return id;
    }
}
