using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.WebSockets;

/// <summary>
/// A Loopwire server in memory with an in-memory store, extra configuration and captured logs.
/// Kept inside WebSockets/ on purpose (the shared fixture lives elsewhere).
/// </summary>
internal sealed class WsTestHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public WsTestHost(ITestOutputHelper? output = null, params (string Key, string Value)[] settings)
    {
        Logs = new WsLogSink(output);
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["Loopwire:Store"] = "memory" };
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }
    }

    public WsLogSink Logs { get; }

    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    /// <summary>A token that only guards against hangs.</summary>
    public static CancellationToken GuardToken(TimeSpan? timeout = null) => new CancellationTokenSource(timeout ?? Guard).Token;

    public Task<WsTestClient> ConnectAsync(string? apiKey = null, CancellationToken ct = default) =>
        WsTestClient.ConnectAsync(Server, apiKey, ct == default ? GuardToken() : ct);

    /// <summary>POST /v1/responses (non-streaming); returns the status and the JSON body.</summary>
    public async Task<(int Status, JsonElement Body)> PostAsync(JsonObject body, string? apiKey = null)
    {
        using var client = CreateHttpClient(apiKey);
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/v1/responses", content, GuardToken());
        var text = await response.Content.ReadAsStringAsync(GuardToken());
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>POST /v1/responses with <c>stream: true</c>; returns the SSE events (the <c>event:</c> name checked against <c>type</c>).</summary>
    public async Task<List<JsonElement>> PostSseAsync(JsonObject body, string? apiKey = null)
    {
        var streaming = body.DeepClone().AsObject();
        streaming["stream"] = true;
        using var client = CreateHttpClient(apiKey);
        using var content = new StringContent(streaming.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/v1/responses", content, GuardToken());
        Assert.Equal(200, (int)response.StatusCode);
        using var stream = await response.Content.ReadAsStreamAsync(GuardToken());
        var events = new List<JsonElement>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(GuardToken()))
        {
            var e = JsonDocument.Parse(item.Data).RootElement.Clone();
            Assert.Equal(item.EventType, e.GetProperty("type").GetString());
            events.Add(e);
        }

        return events;
    }

    /// <summary>GET /v1/responses/{id}; returns the status.</summary>
    public async Task<int> GetStatusAsync(string id, string? apiKey = null)
    {
        using var client = CreateHttpClient(apiKey);
        using var response = await client.GetAsync($"/v1/responses/{id}", GuardToken());
        return (int)response.StatusCode;
    }

    private HttpClient CreateHttpClient(string? apiKey)
    {
        var client = CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(_settings));
        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            logging.SetMinimumLevel(LogLevel.Debug);
            logging.AddFilter("Microsoft", LogLevel.Warning);
            logging.AddFilter("System", LogLevel.Warning);
            logging.AddProvider(Logs);
        });
    }
}

/// <summary>Captures log lines (for assertions) and mirrors them to the test output.</summary>
internal sealed class WsLogSink(ITestOutputHelper? output) : ILoggerProvider
{
    private readonly ConcurrentQueue<WsLogEntry> _entries = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyCollection<WsLogEntry> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>Waits until a captured line matches; null when <paramref name="timeout"/> passes first (a hang guard, not a timing assertion).</summary>
    public async Task<WsLogEntry?> WaitForAsync(Func<WsLogEntry, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            var hit = _entries.FirstOrDefault(match);
            if (hit is not null)
            {
                return hit;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                return _entries.FirstOrDefault(match);
            }
        }
    }

    private void Add(WsLogEntry entry)
    {
        _entries.Enqueue(entry);
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        try
        {
            output?.WriteLine($"{entry.Level} {entry.Category}[{entry.EventId}] {entry.Message}{(entry.Exception is null ? "" : " " + entry.Exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test has already finished.
        }
    }

    private sealed class Logger(WsLogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Add(new WsLogEntry(category, logLevel, eventId.Id, formatter(state, exception), exception));
    }
}

internal sealed record WsLogEntry(string Category, LogLevel Level, int EventId, string Message, Exception? Exception);
