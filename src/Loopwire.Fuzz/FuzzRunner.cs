using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Loopwire.Protocol.Wire;

namespace Loopwire.Fuzz;

/// <summary>
/// Sends hostile inputs over HTTP and WebSocket (and slowloris connections over raw TCP) and classifies what the server
/// does with each. Bounded by <see cref="FuzzOptions.Count"/> and <see cref="FuzzOptions.MaxDuration"/>.
/// </summary>
/// <remarks>
/// Step 1 slowloris connections start in the background (bounded count and time);
/// Step 2 <see cref="FuzzOptions.Concurrency"/> workers take cases until the count is reached: an HTTP request is one input,
/// a WebSocket case is one connection with 1–8 messages, sent one at a time, each waited for;
/// Step 3 the server must still answer <c>GET /v1/models</c>, else the run records a transport failure.
/// </remarks>
public sealed class FuzzRunner(FuzzTarget target, FuzzOptions options)
{
    private readonly FuzzInputs _inputs = new(options);
    private readonly ConcurrentDictionary<FuzzOutcome, int> _counts = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private int _claimed;
    private int _cases;

    /// <summary>Runs the fuzzer.</summary>
    /// <param name="cancellationToken">Stops the run early.</param>
    /// <returns>The counts by outcome.</returns>
    public async Task<FuzzReport> RunAsync(CancellationToken cancellationToken = default)
    {
        if (!options.Http && !options.WebSocket)
        {
            throw new ArgumentException("Enable HTTP, WebSocket or both.", nameof(options));
        }

        var start = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.MaxDuration);

        // Step 1
        int slowloris = target.RawEndpoint is null ? 0 : Math.Min(options.SlowlorisConnections, Math.Max(0, options.Count / 10));
        Interlocked.Add(ref _claimed, slowloris);
        var slow = Enumerable.Range(0, slowloris).Select(i => SlowlorisAsync(i, deadline.Token)).ToList();

        // Step 2
        var workers = Enumerable.Range(0, Math.Max(1, options.Concurrency)).Select(_ => Task.Run(() => WorkerAsync(deadline.Token), CancellationToken.None)).ToList();
        await Task.WhenAll(workers.Concat(slow)).ConfigureAwait(false);

        // Step 3
        if (!await HealthyAsync(cancellationToken).ConfigureAwait(false))
        {
            Record(FuzzOutcome.TransportFailure, "health", "GET /v1/models failed after the run");
        }

        bool byTime = deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
        return new FuzzReport(_counts.Values.Sum(), new Dictionary<FuzzOutcome, int>(_counts), [.. _failures], Stopwatch.GetElapsedTime(start), byTime);
    }

    private async Task WorkerAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            int index = Interlocked.Increment(ref _cases);
            var rng = new Random(unchecked(options.Seed * 1_000_003 + index));
            bool ws = options.WebSocket && (!options.Http || rng.Next(3) == 0);
            bool huge = rng.Next(Math.Max(1, options.HugeEvery)) == 0;
            if (!ws)
            {
                if (Interlocked.Increment(ref _claimed) > options.Count)
                {
                    return;
                }

                await HttpCaseAsync(_inputs.Http(rng, huge), ct).ConfigureAwait(false);
                continue;
            }

            int want = 1 + rng.Next(8);
            int end = Interlocked.Add(ref _claimed, want);
            int n = Math.Min(want, options.Count - (end - want));
            if (n <= 0)
            {
                return;
            }

            await WebSocketCaseAsync(_inputs.WebSocketSession(rng, n, huge, huge), ct).ConfigureAwait(false);
        }
    }

    private async Task HttpCaseAsync(HttpFuzzInput input, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.CaseTimeout);
        try
        {
            using var request = new HttpRequestMessage(input.Method, input.Path);
            if (input.Body is not null)
            {
                request.Content = new ByteArrayContent(input.Body);
                request.Content.Headers.ContentType = input.ContentType is null ? null : MediaTypeHeaderValue.Parse(input.ContentType);
            }

            using var response = await target.Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            var outcome = FuzzClassifier.Http(status);
            Record(outcome, input.Kind, outcome is FuzzOutcome.Http2xx or FuzzOutcome.Http4xx ? null
                : $"{input.Method} {Trim(input.Path)} -> {status} {Trim(await response.Content.ReadAsStringAsync(CancellationToken.None).ConfigureAwait(false))}");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Interlocked.Decrement(ref _claimed);
        }
        catch (OperationCanceledException)
        {
            Record(FuzzOutcome.Hang, input.Kind, $"{input.Method} {Trim(input.Path)}: no answer within {options.CaseTimeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException ex)
        {
            Record(FuzzOutcome.TransportFailure, input.Kind, $"{input.Method} {Trim(input.Path)}: {ex.Message}");
        }
    }

    private async Task WebSocketCaseAsync(List<WsFuzzMessage> messages, CancellationToken ct)
    {
        WebSocket ws;
        try
        {
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
            connect.CancelAfter(options.CaseTimeout);
            ws = await target.ConnectWebSocket(connect.Token).ConfigureAwait(false);
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            Interlocked.Add(ref _claimed, -messages.Count);
            return;
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or OperationCanceledException or InvalidOperationException or IOException)
        {
            Record(FuzzOutcome.TransportFailure, "ws_connect", ex.Message);
            Interlocked.Add(ref _claimed, 1 - messages.Count);
            return;
        }

        using (ws)
        {
            using var reader = new WebSocketMessageReader(int.MaxValue);
            for (int i = 0; i < messages.Count; i++)
            {
                var m = messages[i];
                var (outcome, detail) = await SendAndClassifyAsync(ws, m, reader, ct).ConfigureAwait(false);
                if (outcome is null)
                {
                    Interlocked.Add(ref _claimed, -(messages.Count - i));
                    return;
                }

                Record(outcome.Value, "ws_" + m.Kind, detail);
                if (FuzzClassifier.EndsConnection(outcome.Value))
                {
                    // The rest of this connection's messages are not sent.
                    Interlocked.Add(ref _claimed, -(messages.Count - i - 1));
                    ws.Abort();
                    return;
                }
            }

            // A clean close: the server answers with its own close frame.
            try
            {
                using var close = CancellationTokenSource.CreateLinkedTokenSource(ct);
                close.CancelAfter(options.CaseTimeout);
                await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, close.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
            {
                ws.Abort();
            }
        }
    }

    /// <summary>Sends one message and reads until its answer; null outcome when the run is stopping.</summary>
    private async Task<(FuzzOutcome? Outcome, string? Detail)> SendAndClassifyAsync(WebSocket ws, WsFuzzMessage m, WebSocketMessageReader reader, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.CaseTimeout);
        try
        {
            try
            {
                foreach (var f in m.Frames)
                {
                    await ws.SendAsync(f.Payload, f.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, f.EndOfMessage, timeout.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (m.MayClose && ex is WebSocketException or IOException)
            {
                // The server closed while we were still sending (an oversized message): read its close frame.
            }

            if (!m.ExpectReply)
            {
                return (FuzzOutcome.WsIgnored, null);
            }

            while (true)
            {
                var message = await reader.ReadAsync(ws, timeout.Token).ConfigureAwait(false);
                if (message.Kind == WebSocketMessageKind.Close)
                {
                    return FuzzClassifier.Close((int?)ws.CloseStatus ?? 1005, ws.CloseStatusDescription, m.MayClose, m.Kind);
                }

                string text = Encoding.UTF8.GetString(message.Payload.Span);
                string? type = TypeOf(message.Payload.Span);
                if (FuzzClassifier.Reply(type, type == "error" ? StatusOf(text) : 0, text, m.Kind) is { } verdict)
                {
                    return verdict;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return (null, null);
        }
        catch (OperationCanceledException)
        {
            return (FuzzOutcome.Hang, $"{m.Kind}: no answer within {options.CaseTimeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is WebSocketException or IOException)
        {
            return FuzzClassifier.Broken(ws.CloseStatus, m.MayDrop, m.Kind, ex.Message);
        }
    }

    /// <summary>The server's message's top-level <c>type</c>; <c>&lt;not json&gt;</c> when it is not JSON.</summary>
    private static string? TypeOf(ReadOnlySpan<byte> json)
    {
        try
        {
            return MessageType.Read(json, findErrorObject: true).Type;
        }
        catch (JsonException)
        {
            return "<not json>";
        }
    }

    private static int StatusOf(string errorEvent)
    {
        using var doc = JsonDocument.Parse(errorEvent);
        return doc.RootElement.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt32() : 0;
    }

    /// <summary>A connection that sends an upgrade request's headers one byte at a time, and while it does, checks the server still answers.</summary>
    private async Task SlowlorisAsync(int index, CancellationToken ct)
    {
        var endpoint = target.RawEndpoint!;
        string auth = target.ApiKey is null ? "" : $"Authorization: Bearer {target.ApiKey}\r\n";
        string request = index % 2 == 0
            ? $"POST /v1/responses HTTP/1.1\r\nHost: {endpoint}\r\n{auth}Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"model\":\"{options.Model}\",\"input\":\""
            : $"GET /v1/responses HTTP/1.1\r\nHost: {endpoint}\r\n{auth}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nX-Slow: ";
        var bytes = Encoding.ASCII.GetBytes(request + new string('a', 10_000));
        var stop = Stopwatch.GetTimestamp();
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(endpoint, ct).ConfigureAwait(false);
            var stream = tcp.GetStream();
            for (int i = 0; i < bytes.Length && Stopwatch.GetElapsedTime(stop) < options.SlowlorisDuration; i++)
            {
                await stream.WriteAsync(bytes.AsMemory(i, 1), ct).ConfigureAwait(false);
                await Task.Delay(50, ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            // The server gave up on us first: that is what it should do.
        }
        catch (OperationCanceledException)
        {
        }

        bool healthy = await HealthyAsync(ct).ConfigureAwait(false);
        Record(healthy ? FuzzOutcome.SlowlorisSurvived : FuzzOutcome.TransportFailure, "slowloris", healthy ? null : "server stopped answering during slowloris");
    }

    private async Task<bool> HealthyAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.CaseTimeout);
        try
        {
            using var response = await target.Http.GetAsync("/v1/models", timeout.Token).ConfigureAwait(false);
            return (int)response.StatusCode is >= 200 and < 500 and not 429 || (int)response.StatusCode == 429;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }

    private void Record(FuzzOutcome outcome, string kind, string? detail)
    {
        _counts.AddOrUpdate(outcome, 1, static (_, n) => n + 1);
        if (FuzzReport.IsFailure(outcome) && _failures.Count < 50)
        {
            _failures.Enqueue($"{outcome} [{kind}] {detail}");
        }
    }

    private static string Trim(string s) => FuzzClassifier.Trim(s);
}
