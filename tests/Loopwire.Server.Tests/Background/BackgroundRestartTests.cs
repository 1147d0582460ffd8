using Loopwire.Server.Tests.Http;
using Loopwire.Server.Tests.WebSockets;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.Background.BackgroundHttp;

namespace Loopwire.Server.Tests.Background;

/// <summary>On SQLite, a background response's event log is in the file: it can be streamed again after a restart.</summary>
public sealed class BackgroundRestartTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"loopwire-bg-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task Get_StreamAfterRestartOnSqlite_ReplaysTheStoredLog()
    {
        List<SseEvent> original;
        await using (var before = new WsTestHost(output, ("Loopwire:Store", "sqlite:" + _path)))
        {
            using var client = before.CreateClient();
            using var post = await PostAsync(client, Body(LoopwireFactory.Model, stream: true));
            await using var reader = await OpenAsync(post);
            original = await reader.ReadToEndAsync();
        }

        string id = original[0].Json.GetProperty("response").Str("id");
        await using var after = new WsTestHost(output, ("Loopwire:Store", "sqlite:" + _path));
        using var again = await StreamAgainAsync(after.CreateClient(), id, 2);
        await using var replay = await OpenAsync(again);
        var events = await replay.ReadToEndAsync();

        Assert.Equal("response.completed", events[^1].Type);
        Assert.Equal(original.Skip(3).Select(e => e.Data), events.Select(e => e.Data));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (string suffix in (string[])["", "-wal", "-shm"])
        {
            File.Delete(_path + suffix);
        }
    }
}
