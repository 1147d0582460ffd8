using Loopwire.Client.Tests.Support;
using Loopwire.Client.WebSockets;
using Loopwire.Protocol.Streaming;
using static Loopwire.Client.Tests.Support.LoopwireServer;

namespace Loopwire.Client.Tests.WebSockets;

public sealed class ResponsesWebSocketClientTests(LoopwireServer server) : IClassFixture<LoopwireServer>
{
    private Task<ResponsesWebSocketClient> ConnectAsync(int buffer = 256) =>
        ResponsesWebSocketClient.ConnectAsync(new Uri(server.Server.BaseAddress, "v1/responses"),
            new ResponsesWebSocketOptions { Connector = server.Connector, ReceiveBufferEvents = buffer, Headers = { ["OpenAI-Beta"] = "responses_websockets=2026-02-06" } });

    [Fact]
    public async Task StreamAsync_TwoTurnsOnOneConnection_ContinuesFromCache()
    {
        await using var client = await ConnectAsync();

        var first = await LastAsync(client.StreamAsync(Options() with { Input = [User("Hi.")] }));
        var second = await LastAsync(client.StreamAsync(Options() with { Input = [User("More.")], PreviousResponseId = first.Response.Id }));

        Assert.Equal("completed", second.Response.Status);
        Assert.Equal(first.Response.Id, second.Response.PreviousResponseId);
        Assert.True(client.IsOpen);
        Assert.Single(server.Sockets[^1].Sent, s => s.Contains("\"type\":\"response.create\"", StringComparison.Ordinal) && s.Contains("More.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StreamAsync_UnknownPreviousResponse_ThrowsEnvelopeAndStaysOpen()
    {
        await using var client = await ConnectAsync();

        var ex = await Assert.ThrowsAsync<ResponsesApiException>(() =>
            LastAsync(client.StreamAsync(Options() with { Input = [User("Hi.")], PreviousResponseId = "resp_missing" })));
        var after = await LastAsync(client.StreamAsync(Options() with { Input = [User("Hi.")] }));

        Assert.Equal(400, ex.Status);
        Assert.Equal("invalid_request_error", ex.Type);
        Assert.Equal("previous_response_not_found", ex.Code);
        Assert.Equal("previous_response_id", ex.Param);
        Assert.Equal("completed", after.Response.Status);
    }

    [Fact]
    public async Task StreamAsync_WhileAnotherInFlight_Throws()
    {
        await using var client = await ConnectAsync();
        await using var first = client.StreamAsync(Options() with { Input = [User("Hi.")] }).GetAsyncEnumerator();
        Assert.True(await first.MoveNextAsync());

        await Assert.ThrowsAsync<InvalidOperationException>(() => LastAsync(client.StreamAsync(Options() with { Input = [User("Hi.")] })));
    }

    [Fact]
    public async Task StreamAsync_AbandonedBeforeTerminal_AbortsConnection()
    {
        await using var client = await ConnectAsync();

        await foreach (var _ in client.StreamAsync(Options() with { Input = [User("Hi.")] }))
        {
            break;
        }

        Assert.False(client.IsOpen);
    }

    [Fact]
    public async Task StreamAsync_SlowReaderWithTinyBuffer_ReceivesEveryEventInOrder()
    {
        await using var client = await ConnectAsync(buffer: 1);
        var events = new List<ResponseEvent>();

        await foreach (var e in client.StreamAsync(Options() with { Input = [User("Tell me a long story.")] }))
        {
            events.Add(e);
            await Task.Yield();
        }

        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.SequenceNumber));
        Assert.IsType<ResponseCompletedEvent>(events[^1]);
    }

    private static async Task<ResponseLifecycleEvent> LastAsync(IAsyncEnumerable<ResponseEvent> events)
    {
        ResponseEvent? last = null;
        await foreach (var e in events)
        {
            last = e;
        }

        return Assert.IsAssignableFrom<ResponseLifecycleEvent>(last);
    }
}
