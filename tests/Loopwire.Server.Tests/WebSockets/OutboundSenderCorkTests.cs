using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Streaming;
using Loopwire.Server.Http;
using Loopwire.Server.WebSockets;
using RecordingStream = Loopwire.Server.Tests.WebSockets.CorkableStreamTests.RecordingStream;

namespace Loopwire.Server.Tests.WebSockets;

/// <summary>
/// The send side over a real socket on a corkable transport: frames that are ready together leave in one write, a lane's flush
/// and a response's terminal event send what was held, and the send loop writes what it drains at once.
/// </summary>
public sealed class OutboundSenderCorkTests : IDisposable
{
    private readonly RecordingStream _transport = new();
    private readonly CorkableStream _cork;
    private readonly WebSocket _ws;

    public OutboundSenderCorkTests()
    {
        _cork = new CorkableStream(_transport);
        _ws = WebSocket.CreateFromStream(_cork, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
    }

    private static OutputTextDeltaEvent Delta(int n) => new() { SequenceNumber = n, ItemId = "msg_1", Delta = $" word{n}" };

    private static ResponseCompletedEvent Completed(int n) => new()
    {
        SequenceNumber = n,
        Response = new ResponseObject { Id = "resp_1", Status = "completed", Model = "sim", CreatedAt = 1741290958 },
    };

    [Fact]
    public async Task DirectSends_AreHeldUntilTheTerminalEvent_ThenLeaveInOneWrite()
    {
        using var sender = new OutboundSender(_ws, 16, () => { }, _cork);

        await sender.SendEventAsync(Delta(1), CancellationToken.None);
        await sender.SendEventAsync(Delta(2), CancellationToken.None);
        Assert.Empty(_transport.Writes);

        await sender.SendEventAsync(Completed(3), CancellationToken.None);

        var write = Assert.Single(_transport.Bytes);
        Assert.Equal(["response.output_text.delta", "response.output_text.delta", "response.completed"], await TypesAsync(write, 3));
    }

    [Fact]
    public async Task Flush_SendsWhatWasHeld()
    {
        using var sender = new OutboundSender(_ws, 16, () => { }, _cork);

        await sender.SendEventAsync(Delta(1), CancellationToken.None);
        await sender.SendEventAsync(Delta(2), CancellationToken.None);
        await sender.FlushAsync(CancellationToken.None);
        await sender.FlushAsync(CancellationToken.None); // nothing held: nothing written

        var write = Assert.Single(_transport.Bytes);
        Assert.Equal(["response.output_text.delta", "response.output_text.delta"], await TypesAsync(write, 2));
        Assert.Equal(0, _cork.Pending);
    }

    [Fact]
    public async Task SendLoop_WritesWhatItDrainsAtOnce()
    {
        using var sender = new OutboundSender(_ws, 16, () => { }, _cork);
        for (int i = 1; i <= 3; i++)
        {
            sender.Post(new EventFrame(Delta(i)), CancellationToken.None);
        }

        sender.Complete();
        await sender.RunAsync(() => { }).WaitAsync(TimeSpan.FromSeconds(20));

        var write = Assert.Single(_transport.Bytes);
        var frames = await FramesAsync(write, 3);
        Assert.Equal([" word1", " word2", " word3"], frames.Select(f => f.GetProperty("delta").GetString()));
    }

    [Fact]
    public async Task HeldFrames_ThenACloseFromTheSendLoop_TheCloseGoesLast()
    {
        using var sender = new OutboundSender(_ws, 16, () => { }, _cork);
        await sender.SendEventAsync(Delta(1), CancellationToken.None);
        await sender.SendEventAsync(Delta(2), CancellationToken.None);
        Assert.Empty(_transport.Writes); // held: the lane has not flushed yet

        sender.Post(new CloseFrame(WebSocketCloseStatus.NormalClosure, "done"), CancellationToken.None);
        sender.Complete();
        await sender.RunAsync(() => { }).WaitAsync(TimeSpan.FromSeconds(20));

        byte[] all = [.. _transport.Bytes.SelectMany(b => b)];
        using var client = WebSocket.CreateFromStream(new MemoryStream(all), new WebSocketCreationOptions { IsServer = false });
        var buffer = new byte[1024];
        Assert.Equal(WebSocketMessageType.Text, (await client.ReceiveAsync(buffer.AsMemory(), CancellationToken.None)).MessageType);
        Assert.Equal(WebSocketMessageType.Text, (await client.ReceiveAsync(buffer.AsMemory(), CancellationToken.None)).MessageType);
        Assert.Equal(WebSocketMessageType.Close, (await client.ReceiveAsync(buffer.AsMemory(), CancellationToken.None)).MessageType);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
    }

    [Fact]
    public async Task FrameOverTheLimit_ThenFlush_TheSocketsOwnPongGoesOutAtOnce()
    {
        using var sender = new OutboundSender(_ws, 16, () => { }, _cork);
        var big = new OutputTextDeltaEvent { SequenceNumber = 1, ItemId = "msg_1", Delta = new string('x', CorkableStream.MaxCorkedBytes + 1) };
        await sender.SendEventAsync(big, CancellationToken.None);
        Assert.Single(_transport.Bytes); // past the limit: written at once
        await sender.FlushAsync(CancellationToken.None); // the lane is about to wait for its model

        // The client pings (a masked, empty ping frame); the socket answers with a pong while the lane waits.
        _transport.ToRead = [0x89, 0x80, 1, 2, 3, 4];
        await Assert.ThrowsAsync<WebSocketException>(async () => await _ws.ReceiveAsync(new byte[16].AsMemory(), CancellationToken.None));

        Assert.False(_cork.IsCorked);
        Assert.Equal(0, _cork.Pending);
        Assert.Equal([0x8A, 0x00], _transport.Bytes[^1]); // the pong, not held
    }

    [Fact]
    public async Task WithoutACorkableTransport_EachFrameIsItsOwnWrite()
    {
        using var ws = WebSocket.CreateFromStream(_transport, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        using var sender = new OutboundSender(ws, 16, () => { });

        await sender.SendEventAsync(Delta(1), CancellationToken.None);
        await sender.SendEventAsync(Delta(2), CancellationToken.None);
        await sender.FlushAsync(CancellationToken.None);

        Assert.Equal(2, _transport.Bytes.Count);
    }

    public void Dispose()
    {
        _ws.Dispose();
        _cork.Dispose();
    }

    private static async Task<List<string>> TypesAsync(byte[] write, int count) =>
        [.. (await FramesAsync(write, count)).Select(f => f.GetProperty("type").GetString()!)];

    /// <summary>Reads <paramref name="count"/> text frames out of the bytes of one write, as a client would.</summary>
    private static async Task<List<JsonElement>> FramesAsync(byte[] write, int count)
    {
        using var client = WebSocket.CreateFromStream(new MemoryStream(write), new WebSocketCreationOptions { IsServer = false });
        var frames = new List<JsonElement>();
        var buffer = new byte[64 * 1024];
        for (int i = 0; i < count; i++)
        {
            var r = await client.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
            Assert.True(r.EndOfMessage);
            Assert.Equal(WebSocketMessageType.Text, r.MessageType);
            frames.Add(JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, r.Count)).RootElement.Clone());
        }

        // Nothing after them: the write held exactly these frames.
        await Assert.ThrowsAsync<WebSocketException>(async () => await client.ReceiveAsync(buffer.AsMemory(), CancellationToken.None));
        return frames;
    }
}
