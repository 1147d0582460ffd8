using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Loopwire.Bench.Fuzz;

/// <summary>What the server did with one fuzz input.</summary>
public enum FuzzOutcome
{
    /// <summary>HTTP 2xx (the mutation happened to be valid or tolerated).</summary>
    Http2xx,

    /// <summary>HTTP 4xx: refused as it should be.</summary>
    Http4xx,

    /// <summary>HTTP 5xx: a server bug.</summary>
    Http5xx,

    /// <summary>Any other HTTP status: unexpected.</summary>
    HttpOther,

    /// <summary>A WebSocket response ran to its terminal event.</summary>
    WsCompleted,

    /// <summary>A WebSocket <c>error</c> event, the socket left open.</summary>
    WsErrorEvent,

    /// <summary>The server closed the socket with a fitting code (1000, 1002, 1003, 1007, 1008, 1009).</summary>
    WsClosed,

    /// <summary>Invalid UTF-8 in a text frame failed the connection (RFC 6455 §8.1), possibly without a visible close frame.</summary>
    WsDropped,

    /// <summary>A message the protocol accepts without an answer (<c>response.processed</c>).</summary>
    WsIgnored,

    /// <summary>The socket closed with 1011 or another unfitting code, or broke without a close: a server bug.</summary>
    WsBadClose,

    /// <summary>A slowloris connection held and released while the server kept answering others.</summary>
    SlowlorisSurvived,

    /// <summary>The server did not answer within the case timeout.</summary>
    Hang,

    /// <summary>The connection failed (refused, reset): the server may have crashed.</summary>
    TransportFailure,
}

/// <summary>The options of a fuzz run.</summary>
public sealed class FuzzOptions
{
    /// <summary>Inputs to send in total (HTTP requests plus WebSocket messages plus slowloris connections). <value>1000</value></summary>
    public int Count { get; set; } = 1000;

    /// <summary>The seed; the same seed sends the same inputs. <value>1</value></summary>
    public int Seed { get; set; } = 1;

    /// <summary>Send HTTP requests. <value>true</value></summary>
    public bool Http { get; set; } = true;

    /// <summary>Send WebSocket messages. <value>true</value></summary>
    public bool WebSocket { get; set; } = true;

    /// <summary>Concurrent connections. <value>8</value></summary>
    public int Concurrency { get; set; } = 8;

    /// <summary>The model named in valid bodies. <value>sim-instant</value></summary>
    public string Model { get; set; } = "sim-instant";

    /// <summary>How long one input may take before it counts as a hang. <value>20 seconds</value></summary>
    public TimeSpan CaseTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The whole run stops after this long, whatever <see cref="Count"/> says. <value>15 minutes</value></summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The size of huge strings. <value>1 MiB</value></summary>
    public int HugeStringBytes { get; set; } = 1024 * 1024;

    /// <summary>The size of oversized WebSocket messages: above the server's <c>WebSocket:MaxMessageBytes</c>. <value>16 MiB + 1</value></summary>
    public int OversizedMessageBytes { get; set; } = 16 * 1024 * 1024 + 1;

    /// <summary>Deep nesting goes up to 1000 plus this many levels. <value>20,000</value></summary>
    public int MaxNestingDepth { get; set; } = 20_000;

    /// <summary>One input in this many may be huge (a huge string or an oversized message). <value>500</value></summary>
    public int HugeEvery { get; set; } = 500;

    /// <summary>Slowloris connections (needs <see cref="FuzzTarget.RawEndpoint"/>); each counts as one input. <value>8</value></summary>
    public int SlowlorisConnections { get; set; } = 8;

    /// <summary>How long each slowloris connection dribbles bytes. <value>3 seconds</value></summary>
    public TimeSpan SlowlorisDuration { get; set; } = TimeSpan.FromSeconds(3);
}

/// <summary>Where the fuzzer sends: an HTTP client (base address set), a WebSocket connector and optionally a raw TCP endpoint.</summary>
public sealed class FuzzTarget
{
    /// <summary>An HTTP client whose base address is the server root.</summary>
    public required HttpClient Http { get; init; }

    /// <summary>Opens a WebSocket to <c>/v1/responses</c>.</summary>
    public required Func<CancellationToken, Task<WebSocket>> ConnectWebSocket { get; init; }

    /// <summary>The server's TCP endpoint for slowloris connections; null skips them (e.g. an in-memory test server).</summary>
    public IPEndPoint? RawEndpoint { get; init; }

    /// <summary>Sent as <c>Authorization: Bearer</c> on slowloris connections.</summary>
    public string? ApiKey { get; init; }

    /// <summary>A target for a server at <paramref name="root"/> (<c>http://127.0.0.1:8080</c>).</summary>
    /// <param name="root">The server root.</param>
    /// <param name="apiKey">An API key, or null.</param>
    /// <param name="concurrency">Connections the HTTP client may open.</param>
    /// <returns>The target; dispose its <see cref="Http"/> when done.</returns>
    public static FuzzTarget ForUrl(Uri root, string? apiKey, int concurrency)
    {
        ArgumentNullException.ThrowIfNull(root);
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(1, concurrency), PooledConnectionLifetime = TimeSpan.FromMinutes(1) };
        var http = new HttpClient(handler) { BaseAddress = root, Timeout = Timeout.InfiniteTimeSpan };
        if (apiKey is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        var ws = new UriBuilder(root) { Scheme = root.Scheme == "https" ? "wss" : "ws", Path = "/v1/responses" }.Uri;
        IPEndPoint? raw = IPAddress.TryParse(root.Host.Trim('[', ']'), out var ip) ? new IPEndPoint(ip, root.Port)
            : root.IsLoopback ? new IPEndPoint(IPAddress.Loopback, root.Port) : null;
        return new FuzzTarget
        {
            Http = http,
            RawEndpoint = raw,
            ApiKey = apiKey,
            ConnectWebSocket = async ct =>
            {
                var client = new ClientWebSocket();
                if (apiKey is not null)
                {
                    client.Options.SetRequestHeader("Authorization", "Bearer " + apiKey);
                }

                try
                {
                    await client.ConnectAsync(ws, ct).ConfigureAwait(false);
                    return client;
                }
                catch
                {
                    client.Dispose();
                    throw;
                }
            },
        };
    }
}

/// <summary>The result of a fuzz run: counts by outcome, and a sample of the failures.</summary>
/// <param name="Inputs">Inputs sent.</param>
/// <param name="Counts">Inputs per outcome.</param>
/// <param name="Failures">Up to 50 failures: the input's kind and what happened.</param>
/// <param name="Elapsed">The run's duration.</param>
/// <param name="StoppedByTime">Whether <see cref="FuzzOptions.MaxDuration"/> ended the run early.</param>
public sealed record FuzzReport(int Inputs, IReadOnlyDictionary<FuzzOutcome, int> Counts, IReadOnlyList<string> Failures, TimeSpan Elapsed, bool StoppedByTime)
{
    /// <summary>Inputs whose outcome is a server fault: 5xx, unexpected statuses, bad closes, hangs, transport failures.</summary>
    public int FailureCount => Counts.Where(c => IsFailure(c.Key)).Sum(c => c.Value);

    /// <summary>Whether an outcome is a server fault.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>True for faults.</returns>
    public static bool IsFailure(FuzzOutcome outcome) =>
        outcome is FuzzOutcome.Http5xx or FuzzOutcome.HttpOther or FuzzOutcome.WsBadClose or FuzzOutcome.Hang or FuzzOutcome.TransportFailure;

    /// <summary>One line per outcome class.</summary>
    /// <returns>The summary.</returns>
    public string Summary() =>
        $"{Inputs} inputs in {Elapsed.TotalSeconds:0.0} s{(StoppedByTime ? " (stopped by time)" : "")}: " +
        string.Join(", ", Counts.Where(c => c.Value > 0).OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}")) +
        $"; failures {FailureCount}";
}

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
    private static readonly HashSet<int> FittingCloseCodes = [1000, 1002, 1003, 1007, 1008, 1009];

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
            var outcome = status switch
            {
                >= 200 and < 300 => FuzzOutcome.Http2xx,
                >= 400 and < 500 => FuzzOutcome.Http4xx,
                >= 500 => FuzzOutcome.Http5xx,
                _ => FuzzOutcome.HttpOther,
            };
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
            var buffer = new byte[64 * 1024];
            for (int i = 0; i < messages.Count; i++)
            {
                var m = messages[i];
                var (outcome, detail) = await SendAndClassifyAsync(ws, m, buffer, ct).ConfigureAwait(false);
                if (outcome is null)
                {
                    Interlocked.Add(ref _claimed, -(messages.Count - i));
                    return;
                }

                Record(outcome.Value, "ws_" + m.Kind, detail);
                if (outcome is FuzzOutcome.WsClosed or FuzzOutcome.WsDropped or FuzzOutcome.WsBadClose or FuzzOutcome.Hang or FuzzOutcome.TransportFailure)
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
    private async Task<(FuzzOutcome? Outcome, string? Detail)> SendAndClassifyAsync(WebSocket ws, WsFuzzMessage m, byte[] buffer, CancellationToken ct)
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
                var (type, text, close) = await ReceiveMessageAsync(ws, buffer, timeout.Token).ConfigureAwait(false);
                if (close is { } code)
                {
                    return FittingCloseCodes.Contains(code) && (m.MayClose || code != 1000 || ws.CloseStatusDescription is { Length: > 0 })
                        ? (FuzzOutcome.WsClosed, null)
                        : (FuzzOutcome.WsBadClose, $"close {code} '{ws.CloseStatusDescription}' after {m.Kind}");
                }

                switch (type)
                {
                    case "error":
                        int status = StatusOf(text);
                        return status is >= 400 and < 500
                            ? (FuzzOutcome.WsErrorEvent, null)
                            : (FuzzOutcome.WsBadClose, $"error event with status {status} after {m.Kind}: {Trim(text)}");
                    case "response.completed" or "response.incomplete":
                        return (FuzzOutcome.WsCompleted, null);
                    case "response.failed":
                        return (FuzzOutcome.WsBadClose, $"response.failed after {m.Kind}: {Trim(text)}");
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
            return ws.CloseStatus is { } code && FittingCloseCodes.Contains((int)code)
                ? (FuzzOutcome.WsClosed, null)
                : m.MayDrop ? (FuzzOutcome.WsDropped, null)
                : (FuzzOutcome.WsBadClose, $"{m.Kind}: connection broke without a close frame ({ex.Message})");
        }
    }

    private static async Task<(string? Type, string Text, int? Close)> ReceiveMessageAsync(WebSocket ws, byte[] buffer, CancellationToken ct)
    {
        using var message = new MemoryStream();
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer, ct).ConfigureAwait(false);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                return (null, "", (int?)ws.CloseStatus ?? 1005);
            }

            message.Write(buffer, 0, r.Count);
            if (r.EndOfMessage)
            {
                break;
            }
        }

        string text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
        try
        {
            using var doc = JsonDocument.Parse(text);
            return (doc.RootElement.TryGetProperty("type", out var t) ? t.GetString() : null, text, null);
        }
        catch (JsonException)
        {
            return ("<not json>", text, null);
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

    private static string Trim(string s) => s.Length > 300 ? s[..300] + "…" : s;
}
