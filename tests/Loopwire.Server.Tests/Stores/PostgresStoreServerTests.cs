using System.Text.Json.Nodes;
using Loopwire.Protocol.Errors;
using Loopwire.Server.Tests.WebSockets;
using Loopwire.Tests.Postgres;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Stores;

/// <summary>The server on a PostgreSQL store: losing the database answers 503 <c>store_unavailable</c>, and the server recovers by itself.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreServerTests(PostgresCluster cluster, ITestOutputHelper output)
{
    private const string Password = "hunter2-never-logged";

    [PostgresFact]
    public async Task Chain_DatabaseStoppedThenStarted_StoreUnavailableThenRecovers()
    {
        string connectionString = await cluster.CreateDatabaseAsync(Password);
        await using var host = new WsTestHost(output, ("Loopwire:Store", "postgres:" + connectionString));
        var (status, first) = await host.PostAsync(Turn("Remember the word 'teal'.", previous: null));
        Assert.Equal(200, status);
        string id = first.GetProperty("id").GetString()!;

        await cluster.StopAsync();
        try
        {
            var (chainStatus, chainBody) = await host.PostAsync(Turn("Which word?", id));
            Assert.Equal(503, chainStatus);
            Assert.Equal(ErrorCodes.StoreUnavailable, chainBody.GetProperty("error").GetProperty("code").GetString());
            Assert.Equal(503, await host.GetStatusAsync(id));

            await using var ws = await host.ConnectAsync();
            var events = await ws.RunAsync(Turn("Which word?", id));
            var error = Assert.Single(events);
            Assert.Equal("error", WsTestClient.Type(error));
            Assert.Equal(503, error.GetProperty("status").GetInt32());
            Assert.Equal(ErrorCodes.StoreUnavailable, error.GetProperty("error").GetProperty("code").GetString());
        }
        finally
        {
            await cluster.StartAsync();
        }

        var (againStatus, again) = await host.PostAsync(Turn("Which word?", id));
        Assert.Equal(200, againStatus);
        Assert.Equal(200, await host.GetStatusAsync(again.GetProperty("id").GetString()!));
        Assert.DoesNotContain(host.Logs.Entries, e => (e.Message + e.Exception).Contains(Password, StringComparison.Ordinal));
        Assert.Contains(host.Logs.Entries, e => e.Message.Contains($"127.0.0.1:{cluster.Port}", StringComparison.Ordinal));
    }

    [PostgresFact]
    public async Task Http_TwoNodesOneDatabase_ChainRetrieveDeleteOnEitherNode()
    {
        string connectionString = await cluster.CreateDatabaseAsync();
        await using var a = new WsTestHost(output, ("Loopwire:Store", "postgres:" + connectionString));
        await using var b = new WsTestHost(output, ("Loopwire:Store", "postgres:" + connectionString));

        var (s1, r1) = await a.PostAsync(Turn("Remember the word 'teal'.", previous: null));
        string id1 = r1.GetProperty("id").GetString()!;
        var (s2, r2) = await b.PostAsync(Turn("Which word?", id1));
        string id2 = r2.GetProperty("id").GetString()!;

        Assert.Equal((200, 200), (s1, s2));
        Assert.Equal(id1, r2.GetProperty("previous_response_id").GetString());
        Assert.Equal(200, await a.GetStatusAsync(id2));
        Assert.Equal(200, await b.GetStatusAsync(id1));

        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();
        using var items = await clientA.GetAsync($"/v1/responses/{id2}/input_items", WsTestHost.GuardToken());
        Assert.Equal(200, (int)items.StatusCode);
        Assert.Contains("Which word?", await items.Content.ReadAsStringAsync(WsTestHost.GuardToken()), StringComparison.Ordinal);
        using var deleted = await clientB.DeleteAsync($"/v1/responses/{id2}", WsTestHost.GuardToken());
        Assert.Equal(200, (int)deleted.StatusCode);
        Assert.Equal(404, await a.GetStatusAsync(id2));
    }

    private static JsonObject Turn(string text, string? previous)
    {
        var body = new JsonObject { ["model"] = "sim-instant", ["store"] = true, ["input"] = text };
        if (previous is not null)
        {
            body["previous_response_id"] = previous;
        }

        return body;
    }
}
