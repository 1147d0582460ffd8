using Loopwire.Engine.Stores;
using Loopwire.Protocol.Items;
using Microsoft.Data.Sqlite;

namespace Loopwire.Engine.Tests.Stores;

public sealed class SqliteResponseStoreTests : ResponseStoreContractTests
{
    private readonly string _path;

    public SqliteResponseStoreTests()
        : this(NewPath())
    {
    }

    private SqliteResponseStoreTests(string path)
        : base(new SqliteResponseStore(path)) => _path = path;

    public override void Dispose()
    {
        base.Dispose();
        foreach (string suffix in (string[])["", "-wal", "-shm"])
        {
            File.Delete(_path + suffix);
        }
    }

    [Fact]
    public async Task Constructor_ReopenSameFile_KeepsResponsesItemsAndDeletes()
    {
        await Store.SaveAsync(Stored("resp_1", tenant: "acme", input: EveryItemType()));
        await Store.SaveAsync(Stored("resp_2", tenant: "acme", previous: "resp_1"));
        await Store.SaveAsync(Stored("resp_3", tenant: "acme"));
        await Store.DeleteAsync("resp_3", "acme");
        ((IDisposable)Store).Dispose();

        using var reopened = new SqliteResponseStore(_path);

        var items = await ConversationLoader.LoadItemsAsync(reopened, "resp_2", "acme");
        Assert.Equal(EveryItemType().Count + 3, items?.Count);
        Assert.IsType<FunctionCallItem>(await reopened.GetItemAsync("fc_1", "acme"));
        Assert.Null(await reopened.GetAsync("resp_3", "acme"));
        Assert.Null(await reopened.GetItemAsync("msg_resp_3_out", "acme"));
    }

    [Fact]
    public void Constructor_NewFile_UsesWalJournal()
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false }.ToString());
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode;";

        Assert.Equal("wal", cmd.ExecuteScalar() as string);
    }

    [Fact]
    public void Constructor_InMemoryPath_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SqliteResponseStore(":memory:"));
    }

    [Fact]
    public async Task GetAsync_AfterDispose_ThrowsObjectDisposed()
    {
        ((IDisposable)Store).Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => Store.GetAsync("resp_1", tenant: null));
    }

    private static string NewPath() => Path.Combine(Path.GetTempPath(), $"loopwire-store-{Guid.NewGuid():N}.db");
}
