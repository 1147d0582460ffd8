using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Loopwire.Bench.Load;

/// <summary>
/// The ceiling of <c>bench load --ceiling</c>: a raw Kestrel WebSocket endpoint that answers each message with the number and
/// sizes of frames Loopwire sent for the same session and turn, and does nothing else (no parsing, no model, no state).
/// </summary>
/// <remarks>
/// <c>PUT /ceiling/shapes</c> takes the recorded shapes (JSON: sessions, then turns, then frame sizes); a socket on
/// <c>/v1/responses?session=N</c> then replays session N's turns in order (cycling when a client sends more turns than were
/// recorded). Payloads are built once per size: delta events, and a <c>response.completed</c> event last, so a client parses
/// them as it parses Loopwire's. Run it in its own process (<c>loopwire bench ceiling</c>) to measure its CPU alone.
/// </remarks>
public sealed class CeilingServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<(int Size, bool Last), byte[]> _payloads = new();
    private volatile int[][][] _shapes = [];

    private CeilingServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The root URL, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl => new(_app.Urls.First());

    /// <summary>Starts the endpoint on <paramref name="host"/>:<paramref name="port"/> (0 picks a free port).</summary>
    public static async Task<CeilingServer> StartAsync(string host = "127.0.0.1", int port = 0, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{host}:{port}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 256L * 1024 * 1024);
        var app = builder.Build();
        var server = new CeilingServer(app);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.MapPut("/ceiling/shapes", server.PutShapesAsync);
        app.Map("/v1/responses", server.ServeAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return server;
    }

    /// <summary>The payload the ceiling sends for a frame of <paramref name="size"/> bytes (at least a minimal event).</summary>
    public static byte[] Payload(int size, bool last)
    {
        string head = last
            ? "{\"type\":\"response.completed\",\"response\":{\"id\":\"resp_ceiling\",\"status\":\"completed\",\"output\":[]},\"pad\":\""
            : "{\"type\":\"response.output_text.delta\",\"delta\":\"";
        int pad = Math.Max(0, size - head.Length - 2);
        return Encoding.UTF8.GetBytes(head + new string('x', pad) + "\"}");
    }

    /// <summary>Waits until the server stops (Ctrl+C cancels the token).</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task PutShapesAsync(HttpContext context)
    {
        var shapes = await System.Text.Json.JsonSerializer.DeserializeAsync(context.Request.Body, LoadJsonContext.Default.Int32ArrayArrayArray,
            context.RequestAborted).ConfigureAwait(false);
        if (shapes is null || shapes.Any(s => s is null || s.Any(t => t is null || t.Length == 0)))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("shapes: sessions of turns of at least one frame size each", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        _shapes = shapes;
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task ServeAsync(HttpContext context)
    {
        var shapes = _shapes;
        if (!context.WebSockets.IsWebSocketRequest || !int.TryParse(context.Request.Query["session"], out int session)
            || session < 0 || session >= shapes.Length)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var turns = shapes[session];
        using var ws = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var ct = context.RequestAborted;
        var sink = new byte[4096];
        int turn = 0;
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult r;
                do
                {
                    r = await ws.ReceiveAsync(sink.AsMemory(), ct).ConfigureAwait(false);
                    if (r.MessageType == WebSocketMessageType.Close)
                    {
                        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct).ConfigureAwait(false);
                        return;
                    }
                }
                while (!r.EndOfMessage);

                var frames = turns[turn++ % turns.Length];
                for (int i = 0; i < frames.Length; i++)
                {
                    bool last = i == frames.Length - 1;
                    var payload = _payloads.GetOrAdd((frames[i], last), k => Payload(k.Size, k.Last));
                    // No token: the socket's cheapest send (a token costs a registration per frame); Loopwire sends the same way.
                    await ws.SendAsync(payload, WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
    }
}
