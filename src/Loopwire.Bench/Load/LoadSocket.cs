using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;

namespace Loopwire.Bench.Load;

/// <summary>The outcome of one turn as a client sees it.</summary>
/// <param name="Id">The response id (from the terminal event).</param>
/// <param name="Frames">Messages received for the turn, the terminal one included.</param>
/// <param name="Bytes">Their payload bytes.</param>
internal readonly record struct TurnOutcome(string Id, int Frames, long Bytes);

/// <summary>
/// One WebSocket session of the load generator: sends a pre-serialized <c>response.create</c> and reads events until the
/// terminal one, reading only each event's <c>type</c> (the client should cost the server's machine as little as it can).
/// </summary>
/// <remarks>Receive buffers are rented per turn, so an idle held session keeps none.</remarks>
internal sealed class LoadSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _ws = new();

    private LoadSocket()
    {
    }

    /// <summary>Connects to <paramref name="uri"/> (a ws:// or wss:// URL).</summary>
    public static async Task<LoadSocket> ConnectAsync(Uri uri, string? apiKey, CancellationToken ct)
    {
        var s = new LoadSocket();
        try
        {
            if (apiKey is not null)
            {
                s._ws.Options.SetRequestHeader("Authorization", "Bearer " + apiKey);
            }

            s._ws.Options.KeepAliveInterval = TimeSpan.Zero;
            await s._ws.ConnectAsync(uri, ct).ConfigureAwait(false);
            return s;
        }
        catch
        {
            s._ws.Dispose();
            throw;
        }
    }

    /// <summary>The WebSocket URL of <c>/v1/responses</c> under <paramref name="baseUrl"/>.</summary>
    public static Uri ResponsesUri(Uri baseUrl, string? query = null) =>
        new UriBuilder(baseUrl) { Scheme = baseUrl.Scheme == "https" ? "wss" : "ws", Path = "/v1/responses", Query = query ?? "" }.Uri;

    /// <summary>Sends one message and reads until the terminal event; records each received message's size when asked.</summary>
    /// <exception cref="InvalidOperationException">An <c>error</c> event, a failed response, or the server closed the socket.</exception>
    public async Task<TurnOutcome> SendAsync(ReadOnlyMemory<byte> message, List<int>? frameSizes, CancellationToken ct)
    {
        await _ws.SendAsync(message, WebSocketMessageType.Text, true, ct).ConfigureAwait(false);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int frames = 0;
            long bytes = 0;
            while (true)
            {
                int count = 0;
                ValueWebSocketReceiveResult r;
                do
                {
                    if (count == buffer.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, count).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }

                    r = await _ws.ReceiveAsync(buffer.AsMemory(count), ct).ConfigureAwait(false);
                    if (r.MessageType == WebSocketMessageType.Close)
                    {
                        throw new InvalidOperationException($"The server closed the socket: {_ws.CloseStatus} {_ws.CloseStatusDescription}");
                    }

                    count += r.Count;
                }
                while (!r.EndOfMessage);

                frames++;
                bytes += count;
                frameSizes?.Add(count);
                var payload = buffer.AsSpan(0, count);
                switch (EventKind(payload))
                {
                    case Kind.Completed:
                        return new TurnOutcome(ResponseId(payload), frames, bytes);
                    case Kind.Failed:
                        throw new InvalidOperationException("The turn did not complete: " + System.Text.Encoding.UTF8.GetString(payload));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Closes without waiting long for the server's answer.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_ws.State == WebSocketState.Open)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }

        _ws.Dispose();
    }

    internal enum Kind
    {
        Other,
        Completed,
        Failed,
    }

    /// <summary>The kind of an event from its <c>type</c> (the first property our servers write; others are scanned for).</summary>
    internal static Kind EventKind(ReadOnlySpan<byte> payload)
    {
        var reader = new Utf8JsonReader(payload);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return Kind.Failed;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isType = reader.ValueTextEquals("type"u8);
            reader.Read();
            if (!isType)
            {
                reader.Skip();
                continue;
            }

            if (reader.ValueTextEquals("response.completed"u8) || reader.ValueTextEquals("response.incomplete"u8))
            {
                return Kind.Completed;
            }

            return reader.ValueTextEquals("error"u8) || reader.ValueTextEquals("response.failed"u8) ? Kind.Failed : Kind.Other;
        }

        return Kind.Other;
    }

    /// <summary>The <c>response.id</c> of a terminal event.</summary>
    internal static string ResponseId(ReadOnlySpan<byte> payload)
    {
        var reader = new Utf8JsonReader(payload);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isResponse = reader.ValueTextEquals("response"u8);
            reader.Read();
            if (!isResponse || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isId)
                {
                    return reader.GetString() ?? "";
                }

                reader.Skip();
            }
        }

        throw new InvalidOperationException("The terminal event has no response.id.");
    }
}
