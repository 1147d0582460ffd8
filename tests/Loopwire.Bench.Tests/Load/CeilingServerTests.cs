using System.Net;
using System.Net.WebSockets;
using System.Text;
using Loopwire.Bench.Load;

namespace Loopwire.Bench.Tests.Load;

/// <summary>The raw Kestrel ceiling answers each message with the recorded frame shape.</summary>
public sealed class CeilingServerTests : IAsyncLifetime
{
    private CeilingServer _ceiling = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _ceiling = await CeilingServer.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _ceiling.DisposeAsync();
    }

    private async Task<HttpStatusCode> PutShapesAsync(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var resp = await _http.PutAsync(new Uri(_ceiling.BaseUrl, "/ceiling/shapes"), content);
        return resp.StatusCode;
    }

    [Fact]
    public async Task Socket_EachMessage_AnsweredWithThatTurnsFrameSizesCompletedLast()
    {
        Assert.Equal(HttpStatusCode.NoContent, await PutShapesAsync("[[[60,200],[70,80,400]],[[300]]]"));
        await using var socket = await LoadSocket.ConnectAsync(LoadSocket.ResponsesUri(_ceiling.BaseUrl, "session=0"), null, CancellationToken.None);
        var frames = new List<int>();

        var first = await socket.SendAsync("{\"type\":\"response.create\"}"u8.ToArray(), frames, CancellationToken.None);
        Assert.Equal([60, 200], frames);
        Assert.Equal(2, first.Frames);
        Assert.Equal("resp_ceiling", first.Id);

        frames.Clear();
        var second = await socket.SendAsync("{\"type\":\"response.create\"}"u8.ToArray(), frames, CancellationToken.None);
        Assert.Equal([70, 80, 400], frames);
        Assert.Equal(550, second.Bytes);
    }

    [Fact]
    public void Payload_OfAnySize_IsAnEventOfThatSizeWithTheRightKind()
    {
        var delta = CeilingServer.Payload(120, last: false);
        var last = CeilingServer.Payload(500, last: true);

        Assert.Equal(120, delta.Length);
        Assert.Equal(500, last.Length);
        Assert.Equal(LoadSocket.Kind.Other, LoadSocket.EventKind(delta));
        Assert.Equal(LoadSocket.Kind.Completed, LoadSocket.EventKind(last));
    }

    [Theory]
    [InlineData("[[[]]]")]
    [InlineData("[[null]]")]
    public async Task PutShapes_TurnWithoutFrames_IsBadRequest(string json) =>
        Assert.Equal(HttpStatusCode.BadRequest, await PutShapesAsync(json));

    [Fact]
    public async Task Socket_UnknownSession_IsRefused()
    {
        Assert.Equal(HttpStatusCode.NoContent, await PutShapesAsync("[[[60]]]"));

        await Assert.ThrowsAsync<WebSocketException>(() =>
            LoadSocket.ConnectAsync(LoadSocket.ResponsesUri(_ceiling.BaseUrl, "session=5"), null, CancellationToken.None));
    }
}
