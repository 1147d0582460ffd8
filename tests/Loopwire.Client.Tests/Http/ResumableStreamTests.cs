using System.Text.Json;
using Loopwire.Client.Http;
using Loopwire.Client.Tests.Support;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;
using static Loopwire.Client.Tests.Support.LoopwireServer;

namespace Loopwire.Client.Tests.Http;

public sealed class ResumableStreamTests(LoopwireServer server) : IClassFixture<LoopwireServer>
{
    private static CreateResponseRequest Request() => Options() with { Model = "sim-spark", Input = [User("Tell me about streams.")] };

    [Fact]
    public async Task StreamResumableAsync_InjectedDrops_YieldsEveryEventOnceInOrder()
    {
        var drops = new DroppingHandler(1500, 700);
        var client = new ResponsesHttpClient(server.CreateDefaultClient(drops));

        var events = await ReadAllAsync(client.StreamResumableAsync(Request()));

        Assert.Equal(3, drops.Requests.Count);
        Assert.StartsWith("GET /v1/responses/", drops.Requests[1], StringComparison.Ordinal);
        Assert.Contains("starting_after=", drops.Requests[1], StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.SequenceNumber));
        Assert.IsType<ResponseCompletedEvent>(events[^1]);
        var replay = await ReadAllAsync(new ResponsesHttpClient(server.CreateClient()).ResumeStreamAsync(((ResponseCreatedEvent)events[0]).Response.Id));
        Assert.Equal(replay.Select(Json), events.Select(Json));
    }

    [Fact]
    public async Task StreamResumableAsync_NoResumesAllowed_ThrowsOnDrop()
    {
        var client = new ResponsesHttpClient(server.CreateDefaultClient(new DroppingHandler(1500)));

        await Assert.ThrowsAsync<ResponsesConnectionException>(() => ReadAllAsync(client.StreamResumableAsync(Request(), maxResumes: 0)));
    }

    [Fact]
    public async Task StreamResumableAsync_DropsEveryTime_GivesUpAfterMaxResumes()
    {
        var drops = new DroppingHandler(1500, 0, 0, 0);
        var client = new ResponsesHttpClient(server.CreateDefaultClient(drops));

        await Assert.ThrowsAsync<ResponsesConnectionException>(() => ReadAllAsync(client.StreamResumableAsync(Request(), maxResumes: 2)));

        Assert.Equal(3, drops.Requests.Count);
    }

    [Fact]
    public async Task ResumeStreamAsync_NonBackground_ThrowsBadRequest()
    {
        var client = new ResponsesHttpClient(server.CreateClient());
        var created = await client.CreateAsync(Options() with { Input = [User("Hi.")], Store = true });

        var ex = await Assert.ThrowsAsync<ResponsesApiException>(() => ReadAllAsync(client.ResumeStreamAsync(created.Id, 0)));

        Assert.Equal(400, ex.Status);
        Assert.Equal("stream", ex.Param);
    }

    [Fact]
    public async Task CancelAsync_FinishedBackground_ReturnsItUnchanged()
    {
        var client = new ResponsesHttpClient(server.CreateClient());
        var events = await ReadAllAsync(client.StreamResumableAsync(Options() with { Input = [User("Hi.")] }));
        var id = ((ResponseCreatedEvent)events[0]).Response.Id;

        var cancelled = await client.CancelAsync(id);

        Assert.Equal("completed", cancelled.Status);
        Assert.True(cancelled.Background);
    }

    private static string Json(ResponseEvent e) => JsonSerializer.Serialize(e, ProtocolJsonContext.Wire.ResponseEvent);

    private static async Task<List<ResponseEvent>> ReadAllAsync(IAsyncEnumerable<ResponseEvent> events)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var list = new List<ResponseEvent>();
        await foreach (var e in events.WithCancellation(guard.Token))
        {
            list.Add(e);
        }

        return list;
    }
}
