using System.Buffers;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text.Json;

namespace Loopwire.Bench.Overhead;

/// <summary>
/// A minimal client that sends pre-serialized request bodies and returns the response id and raw output items.
/// The overhead benchmark measures the server, so the client does as little as possible.
/// </summary>
internal interface IRawResponsesClient : IAsyncDisposable
{
    /// <summary>Sends one request (a JSON body without <c>type</c>) and waits for the final response.</summary>
    Task<RawResponse> SendAsync(byte[] body, CancellationToken ct);
}

/// <summary>The final response: its id and its output items as raw JSON.</summary>
internal sealed record RawResponse(string Id, IReadOnlyList<byte[]> Output, string Status);

internal sealed class RawHttpClient(Uri baseUrl, string? apiKey) : IRawResponsesClient
{
    private readonly HttpClient _http = new() { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(5) };

    public async Task<RawResponse> SendAsync(byte[] body, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = new ByteArrayContent(body) };
        req.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (apiKey is not null)
        {
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        using var resp = await _http.SendAsync(req, ct).ConfigureAwait(false);
        var bytes = await resp.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (!resp.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"HTTP {(int)resp.StatusCode}: {System.Text.Encoding.UTF8.GetString(bytes)}");
        }

        using var doc = JsonDocument.Parse(bytes);
        return RawResponseReader.Read(doc.RootElement);
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}

internal sealed class RawWebSocketClient : IRawResponsesClient
{
    private static readonly byte[] TypePrefix = "{\"type\":\"response.create\","u8.ToArray();
    private readonly ClientWebSocket _ws = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);

    private RawWebSocketClient()
    {
    }

    public static async Task<RawWebSocketClient> ConnectAsync(Uri baseUrl, string? apiKey, CancellationToken ct)
    {
        var c = new RawWebSocketClient();
        if (apiKey is not null)
        {
            c._ws.Options.SetRequestHeader("Authorization", "Bearer " + apiKey);
        }

        var ub = new UriBuilder(baseUrl) { Scheme = baseUrl.Scheme == "https" ? "wss" : "ws", Path = "/v1/responses" };
        await c._ws.ConnectAsync(ub.Uri, ct).ConfigureAwait(false);
        return c;
    }

    public async Task<RawResponse> SendAsync(byte[] body, CancellationToken ct)
    {
        // body is {"...}: splice the type in front of its first property.
        var message = new byte[TypePrefix.Length + body.Length - 1];
        TypePrefix.CopyTo(message, 0);
        body.AsSpan(1).CopyTo(message.AsSpan(TypePrefix.Length));
        await _ws.SendAsync(message, WebSocketMessageType.Text, true, ct).ConfigureAwait(false);
        while (true)
        {
            _buffer.ResetWrittenCount();
            ValueWebSocketReceiveResult r;
            do
            {
                r = await _ws.ReceiveAsync(_buffer.GetMemory(16 * 1024), ct).ConfigureAwait(false);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    throw new InvalidOperationException($"The server closed the socket: {_ws.CloseStatus} {_ws.CloseStatusDescription}");
                }

                _buffer.Advance(r.Count);
            }
            while (!r.EndOfMessage);

            using var doc = JsonDocument.Parse(_buffer.WrittenMemory);
            string? type = doc.RootElement.GetProperty("type").GetString();
            switch (type)
            {
                case "response.completed" or "response.incomplete" or "response.failed":
                    return RawResponseReader.Read(doc.RootElement.GetProperty("response"));
                case "error":
                    throw new InvalidOperationException("Error event: " + doc.RootElement.GetRawText());
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_ws.State == WebSocketState.Open)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }

        _ws.Dispose();
    }
}

internal static class RawResponseReader
{
    public static RawResponse Read(JsonElement response)
    {
        var output = new List<byte[]>();
        foreach (var item in response.GetProperty("output").EnumerateArray())
        {
            output.Add(System.Text.Encoding.UTF8.GetBytes(item.GetRawText()));
        }

        return new RawResponse(response.GetProperty("id").GetString()!, output, response.GetProperty("status").GetString()!);
    }
}
