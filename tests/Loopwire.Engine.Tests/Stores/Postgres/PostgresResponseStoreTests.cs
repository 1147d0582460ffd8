using Loopwire.Engine.Stores;
using Loopwire.Engine.Stores.Postgres;
using Loopwire.Tests.Postgres;
using Npgsql;

namespace Loopwire.Engine.Tests.Stores.Postgres;

/// <summary>The conformance suite on PostgreSQL, plus what only a shared database has: concurrent starts, sweep lock, outages.</summary>
[Collection(PostgresCollection.Name)]
[RequiresPostgres]
public sealed class PostgresResponseStoreTests(PostgresCluster cluster)
    : ResponseStoreContractTests(new PostgresResponseStore(cluster.AdminConnectionString)), IAsyncLifetime
{
    internal const string Password = "hunter2-do-not-log";

    public async Task InitializeAsync()
    {
        var store = (PostgresResponseStore)Store;
        await store.MigrateAsync();
        await using var connection = new NpgsqlConnection(cluster.AdminConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("TRUNCATE responses, items, background_events, background_leases, conversations, conversation_items;", connection);
        await cmd.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [PostgresFact]
    public async Task MigrateAsync_ManyNodesStartAtOnce_AppliesEachMigrationOnce()
    {
        string connectionString = await cluster.CreateDatabaseAsync();
        var stores = Enumerable.Range(0, 6).Select(_ => new PostgresResponseStore(connectionString)).ToList();
        try
        {
            int[] applied = await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync())));

            Assert.Equal(PostgresMigrations.All.Count, applied.Sum());
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM loopwire_schema_migrations;", connection);
            Assert.Equal((long)PostgresMigrations.All.Count, await cmd.ExecuteScalarAsync());
            await stores[0].SaveAsync(Stored("resp_1"));
            Assert.NotNull(await stores[^1].GetAsync("resp_1", tenant: null));
            Assert.Equal(0, await stores[1].MigrateAsync());
        }
        finally
        {
            foreach (var s in stores)
            {
                await s.DisposeAsync();
            }
        }
    }

    [PostgresFact]
    public async Task DeleteCreatedBeforeAsync_AnotherNodeSweeping_ReturnsNullAndDeletesNothing()
    {
        await Store.SaveAsync(Stored("resp_old", createdAt: 1_000));
        var retention = (IResponseRetention)Store;
        await using (var otherNode = new NpgsqlConnection(cluster.AdminConnectionString))
        {
            await otherNode.OpenAsync();
            await using var tx = await otherNode.BeginTransactionAsync();
            await using var hold = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({PostgresMigrations.SweepLockKey});", otherNode, tx);
            await hold.ExecuteNonQueryAsync();

            Assert.Null(await retention.DeleteCreatedBeforeAsync(DateTimeOffset.FromUnixTimeSeconds(2_000)));
            Assert.NotNull(await Store.GetAsync("resp_old", tenant: null));
        }

        Assert.Equal(1, await retention.DeleteCreatedBeforeAsync(DateTimeOffset.FromUnixTimeSeconds(2_000)));
    }

    [PostgresFact]
    public async Task GetAsync_DatabaseStoppedThenStarted_UnavailableThenRecovers()
    {
        string connectionString = await cluster.CreateDatabaseAsync(Password);
        await using var store = new PostgresResponseStore(connectionString);
        await store.MigrateAsync();
        await store.SaveAsync(Stored("resp_1"));

        await cluster.StopAsync();
        StoreUnavailableException? down;
        try
        {
            down = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetAsync("resp_1", tenant: null));
            await Assert.ThrowsAsync<StoreUnavailableException>(() => store.SaveAsync(Stored("resp_2")));
        }
        finally
        {
            await cluster.StartAsync();
        }

        Assert.Contains($"127.0.0.1:{cluster.Port}", down.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, down.ToString(), StringComparison.Ordinal);
        Assert.NotNull(await store.GetAsync("resp_1", tenant: null));
        await store.SaveAsync(Stored("resp_2"));
    }

    [PostgresFact]
    public async Task MigrateAsync_NothingListening_ThrowsUnavailableNamingHostNotPassword()
    {
        int closedPort = cluster.Port == 1 ? 2 : 1;
        await using var store = new PostgresResponseStore($"Host=127.0.0.1;Port={closedPort};Username=lw;Password={Password};Timeout=2");

        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.MigrateAsync());

        Assert.Contains($"127.0.0.1:{closedPort}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, ex.ToString(), StringComparison.Ordinal);
    }
}

public sealed class PostgresConnectionStringTests
{
    [Fact]
    public void Redact_ConnectionStringWithPassword_RemovesOnlyThePassword()
    {
        string redacted = PostgresResponseStore.Redact($"Host=db.internal;Port=5433;Database=lw;Username=app;Password={PostgresResponseStoreTests.Password}");

        Assert.DoesNotContain(PostgresResponseStoreTests.Password, redacted, StringComparison.Ordinal);
        Assert.Contains("db.internal", redacted, StringComparison.Ordinal);
        Assert.Contains("5433", redacted, StringComparison.Ordinal);
    }
}
