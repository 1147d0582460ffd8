using System.Net.WebSockets;
using System.Text;
using Loopwire.Protocol.Wire;
using static Loopwire.Protocol.Tests.Wire.ScriptedWebSocket;

namespace Loopwire.Protocol.Tests.Wire;

public sealed class WebSocketMessageReaderTests
{
    [Fact]
    public async Task ReadAsync_EachMessage_WaitsWithAZeroByteReceiveFirst()
    {
        var ws = new ScriptedWebSocket(Text("first"), Text("2nd"));
        using var reader = new WebSocketMessageReader(1024);

        await reader.ReadAsync(ws);
        var second = await reader.ReadAsync(ws);

        Assert.Equal("2nd", Encoding.UTF8.GetString(second.Payload.Span));
        Assert.Equal(2, ws.ZeroByteReceives);
        Assert.Equal(2, ws.Receives);
    }

    [Fact]
    public async Task ReadAsync_EmptyTextMessage_IsAnEmptyText()
    {
        var ws = new ScriptedWebSocket(Text(""), Text("next"));
        using var reader = new WebSocketMessageReader(1024);

        var empty = await reader.ReadAsync(ws);
        var next = await reader.ReadAsync(ws);

        Assert.Equal(WebSocketMessageKind.Text, empty.Kind);
        Assert.True(empty.Payload.IsEmpty);
        Assert.Equal("next", Encoding.UTF8.GetString(next.Payload.Span));
    }

    [Fact]
    public async Task ReadAsync_FragmentedText_ReassemblesToEndOfMessage()
    {
        var ws = new ScriptedWebSocket(Text("{\"type\":", end: false), Text("\"a\"", end: false), Text("}"));
        using var reader = new WebSocketMessageReader(1024);

        var message = await reader.ReadAsync(ws);

        Assert.Equal(WebSocketMessageKind.Text, message.Kind);
        Assert.Equal("{\"type\":\"a\"}", Encoding.UTF8.GetString(message.Payload.Span));
    }

    [Fact]
    public async Task ReadAsync_TwoMessages_SecondDoesNotCarryFirst()
    {
        var ws = new ScriptedWebSocket(Text("first"), Text("2nd"));
        using var reader = new WebSocketMessageReader(1024);

        await reader.ReadAsync(ws);
        var second = await reader.ReadAsync(ws);

        Assert.Equal("2nd", Encoding.UTF8.GetString(second.Payload.Span));
    }

    [Fact]
    public async Task ReadAsync_MessageLargerThanInitialBuffer_GrowsAndKeepsEveryByte()
    {
        var big = new byte[(3 * WebSocketMessageReader.InitialBufferBytes) + 7];
        new Random(3).NextBytes(big);
        var ws = new ScriptedWebSocket(Binary(big[..1000], end: false), Binary(big[1000..]));
        using var reader = new WebSocketMessageReader(big.Length);

        var message = await reader.ReadAsync(ws);

        Assert.Equal(WebSocketMessageKind.Binary, message.Kind);
        Assert.True(message.Payload.Span.SequenceEqual(big));
    }

    [Fact]
    public async Task ReadAsync_MessageALittleLargerThanThePrevious_ReadWithoutGrowing()
    {
        // A replaying client: each message is the last one plus a little. The second is read in one receive.
        var first = new byte[100_000];
        var second = new byte[110_000];
        new Random(5).NextBytes(second);
        var ws = new ScriptedWebSocket(Binary(first), Binary(second));
        using var reader = new WebSocketMessageReader(1_000_000);

        await reader.ReadAsync(ws);
        int before = ws.Receives;
        var message = await reader.ReadAsync(ws);

        Assert.True(message.Payload.Span.SequenceEqual(second));
        Assert.Equal(1, ws.Receives - before);
    }

    [Fact]
    public async Task ReadAsync_MessageOverCap_ReturnsTooBigWithoutReadingTheRest()
    {
        var ws = new ScriptedWebSocket(Text(new string('x', 600), end: false), Text(new string('y', 600), end: false), Text("z"));
        using var reader = new WebSocketMessageReader(1000);

        var message = await reader.ReadAsync(ws);

        Assert.Equal(WebSocketMessageKind.TooBig, message.Kind);
        Assert.True(message.Payload.IsEmpty);
        Assert.Equal(2, ws.Receives);
    }

    [Fact]
    public async Task ReadAsync_MessageExactlyAtCap_IsAccepted()
    {
        var ws = new ScriptedWebSocket(Text(new string('x', 1000)));
        using var reader = new WebSocketMessageReader(1000);

        var message = await reader.ReadAsync(ws);

        Assert.Equal(WebSocketMessageKind.Text, message.Kind);
        Assert.Equal(1000, message.Payload.Length);
    }

    [Fact]
    public async Task ReadAsync_CloseFrame_ReturnsClose()
    {
        var ws = new ScriptedWebSocket(Close());
        using var reader = new WebSocketMessageReader(1000);

        var message = await reader.ReadAsync(ws);

        Assert.Equal(WebSocketMessageKind.Close, message.Kind);
    }

    [Fact]
    public async Task ReadAsync_AfterMessageLargerThanRetainedBuffer_StillReadsNextMessage()
    {
        var big = new byte[WebSocketMessageReader.RetainedBufferBytes + 1];
        var ws = new ScriptedWebSocket(Binary(big), Text("small"));
        using var reader = new WebSocketMessageReader(big.Length);

        Assert.Equal(big.Length, (await reader.ReadAsync(ws)).Payload.Length);
        var next = await reader.ReadAsync(ws);

        Assert.Equal("small", Encoding.UTF8.GetString(next.Payload.Span));
    }

    [Fact]
    public async Task ReadAsync_SocketFails_ExceptionPropagates()
    {
        var ws = new ScriptedWebSocket();
        using var reader = new WebSocketMessageReader(1000);

        await Assert.ThrowsAsync<WebSocketException>(async () => await reader.ReadAsync(ws));
    }

    [Fact]
    public async Task ReadAsync_AfterDispose_Throws()
    {
        var reader = new WebSocketMessageReader(1000);
        reader.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await reader.ReadAsync(new ScriptedWebSocket(Text("x"))));
    }

    [Fact]
    public void Constructor_NonPositiveCap_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebSocketMessageReader(0));
}
