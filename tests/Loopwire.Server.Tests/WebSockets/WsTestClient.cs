using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Loopwire.Server.Tests.WebSockets;

/// <summary>A WebSocket-mode client over the in-memory test server: sends JSON text frames, reads events.</summary>
internal sealed class WsTestClient : IAsyncDisposable
{
    private readonly WebSocket _ws;

    public WsTestClient(WebSocket ws) => _ws = ws;

    public WebSocket Socket => _ws;

    /// <summary>The close status the server sent, once a close frame was read.</summary>
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    public Task SendAsync(JsonObject message) => SendTextAsync(message.ToJsonString());

    public Task SendTextAsync(string text) =>
        _ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, WsTestHost.GuardToken());

    public Task SendBinaryAsync(byte[] bytes) =>
        _ws.SendAsync(bytes, WebSocketMessageType.Binary, true, WsTestHost.GuardToken());

    /// <summary>Sends <c>response.create</c> with the given body (the <c>type</c> is added).</summary>
    public Task CreateAsync(JsonObject body)
    {
        var message = new JsonObject { ["type"] = "response.create" };
        foreach (var (key, value) in body)
        {
            message[key] = value?.DeepClone();
        }

        return SendAsync(message);
    }

    /// <summary>Reads one message; null when the server sent a close frame (see <see cref="CloseStatus"/>).</summary>
    public async Task<JsonElement?> ReceiveAsync(CancellationToken ct = default)
    {
        if (ct == default)
        {
            ct = WsTestHost.GuardToken();
        }

        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        while (true)
        {
            var result = await _ws.ReceiveAsync(buffer.GetMemory(16 * 1024), ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                CloseStatus = _ws.CloseStatus;
                return null;
            }

            buffer.Advance(result.Count);
            if (result.EndOfMessage)
            {
                Assert.Equal(WebSocketMessageType.Text, result.MessageType);
                return JsonDocument.Parse(buffer.WrittenMemory).RootElement.Clone();
            }
        }
    }

    /// <summary>Reads until a terminal event (<c>response.completed/incomplete/failed</c> or <c>error</c>); fails on close.</summary>
    public async Task<List<JsonElement>> ReceiveTurnAsync(CancellationToken ct = default)
    {
        var events = new List<JsonElement>();
        for (int i = 0; i < 100_000; i++)
        {
            var e = await ReceiveAsync(ct) ?? throw new InvalidOperationException(
                $"The server closed the socket ({CloseStatus}) before a terminal event; got: {string.Join(", ", events.Select(Type))}");
            events.Add(e);
            if (IsTerminal(e))
            {
                return events;
            }
        }

        throw new InvalidOperationException("Too many events.");
    }

    /// <summary>Sends <c>response.create</c> and reads its events.</summary>
    public async Task<List<JsonElement>> RunAsync(JsonObject body)
    {
        await CreateAsync(body);
        return await ReceiveTurnAsync();
    }

    /// <summary>Reads messages until the server's close frame; returns the messages read before it.</summary>
    public async Task<List<JsonElement>> ReceiveUntilCloseAsync(CancellationToken ct = default)
    {
        var events = new List<JsonElement>();
        for (int i = 0; i < 100_000; i++)
        {
            var e = await ReceiveAsync(ct);
            if (e is null)
            {
                return events;
            }

            events.Add(e.Value);
        }

        throw new InvalidOperationException("Too many events.");
    }

    public static string Type(JsonElement e) => e.GetProperty("type").GetString()!;

    public static bool IsTerminal(JsonElement e) =>
        Type(e) is "response.completed" or "response.incomplete" or "response.failed" or "error";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_ws.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, WsTestHost.GuardToken(TimeSpan.FromSeconds(5)));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
        }

        _ws.Dispose();
    }
}
