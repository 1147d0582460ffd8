using Loopwire.Engine.Stores;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Server.Stores;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Loopwire.Server.Tests.Stores;

public sealed class RetentionSweeperTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SweepOnceAsync_RetentionDays_DeletesOnlyOlderResponses()
    {
        var store = new MemoryResponseStore();
        await store.SaveAsync(Stored("resp_old", Now.AddDays(-31)));
        await store.SaveAsync(Stored("resp_new", Now.AddDays(-29)));
        var sweeper = Sweeper(store, retentionDays: 30);

        int? deleted = await sweeper.SweepOnceAsync(store, CancellationToken.None);

        Assert.Equal(1, deleted);
        Assert.Null(await store.GetAsync("resp_old", tenant: null));
        Assert.NotNull(await store.GetAsync("resp_new", tenant: null));
    }

    [Fact]
    public async Task StartAsync_RetentionZero_KeepsEverything()
    {
        var store = new MemoryResponseStore();
        await store.SaveAsync(Stored("resp_ancient", Now.AddYears(-5)));
        using var sweeper = Sweeper(store, retentionDays: 0);

        await sweeper.StartAsync(CancellationToken.None);
        await (sweeper.ExecuteTask ?? Task.CompletedTask);

        Assert.NotNull(await store.GetAsync("resp_ancient", tenant: null));
    }

    [Fact]
    public async Task StartAsync_RetentionSet_SweepsAtStart()
    {
        var store = new MemoryResponseStore();
        await store.SaveAsync(Stored("resp_old", Now.AddDays(-3)));
        using var sweeper = Sweeper(store, retentionDays: 1);

        await sweeper.StartAsync(CancellationToken.None);
        try
        {
            // The first sweep runs before the timer's first wait; poll the store as a hang guard only.
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (await store.GetAsync("resp_old", tenant: null) is not null)
            {
                await Task.Delay(10, guard.Token);
            }
        }
        finally
        {
            await sweeper.StopAsync(CancellationToken.None);
        }
    }

    private static RetentionSweeper Sweeper(IResponseStore store, int retentionDays) =>
        new(store, Options.Create(new StoreRetentionOptions { RetentionDays = retentionDays }), new FakeTimeProvider(Now),
            NullLogger<RetentionSweeper>.Instance);

    private static StoredResponse Stored(string id, DateTimeOffset createdAt) => new(id, null, null, [],
        new ResponseObject { Id = id, CreatedAt = createdAt.ToUnixTimeSeconds(), Status = ResponseStatus.Completed, Model = "sim-instant", Output = [] });
}
