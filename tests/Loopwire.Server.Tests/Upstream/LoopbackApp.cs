using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.Server.Hosting;
using Loopwire.Server.Tests.WebSockets;
using Loopwire.TestKit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Upstream;

/// <summary>
/// A web app on a real loopback port (127.0.0.1:0): a whole Loopwire server, or a fake upstream with hand-written
/// endpoints. Real sockets, because the upstream backends speak HTTP and WebSockets through their own handlers.
/// </summary>
internal sealed class LoopbackApp : IAsyncDisposable
{
    private LoopbackApp(WebApplication app, CapturingLoggerProvider logs)
    {
        App = app;
        Logs = logs;
        BaseAddress = new Uri(app.Urls.First());
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = WsTestHost.Guard };
    }

    public WebApplication App { get; }

    public CapturingLoggerProvider Logs { get; }

    public Uri BaseAddress { get; }

    /// <summary>The API base for a backend's <c>BaseUrl</c>.</summary>
    public string V1 => new Uri(BaseAddress, "/v1").ToString();

    public HttpClient Client { get; }

    public static Task<LoopbackApp> StartLoopwireAsync(ITestOutputHelper? output, params (string Key, string Value)[] settings) =>
        StartLoopwireAsync(output, null, settings);

    /// <summary>A whole Loopwire server whose simulated models and connection timers run on <paramref name="time"/> (null: the system clock).</summary>
    public static async Task<LoopbackApp> StartLoopwireAsync(ITestOutputHelper? output, TimeProvider? time, params (string Key, string Value)[] settings)
    {
        var logs = new CapturingLoggerProvider(output);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Loopwire:Store"] = "memory",
            ["Loopwire:DefaultModelProfile"] = "sim-instant",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var app = LoopwireHost.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(values);
            b.WebHost.UseUrls("http://127.0.0.1:0");
            if (time is not null)
            {
                b.Services.AddSingleton(time);
            }

            Quiet(b, logs);
        });
        await app.StartAsync(WsTestHost.GuardToken());
        return new LoopbackApp(app, logs);
    }

    /// <summary>A fake upstream: <paramref name="map"/> adds its endpoints.</summary>
    public static async Task<LoopbackApp> StartFakeAsync(Action<WebApplication> map)
    {
        var logs = new CapturingLoggerProvider(null);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        Quiet(builder, logs);
        var app = builder.Build();
        app.UseWebSockets();
        map(app);
        await app.StartAsync(WsTestHost.GuardToken());
        return new LoopbackApp(app, logs);
    }

    /// <summary>POST /v1/responses; non-streaming returns (status, body), streaming returns (200, the terminal event's response or error).</summary>
    public async Task<(int Status, JsonElement Body, List<JsonElement> Events)> PostResponseAsync(JsonObject body, bool stream)
    {
        var copy = body.DeepClone().AsObject();
        copy["stream"] = stream;
        using var content = new StringContent(copy.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync("/v1/responses", content, WsTestHost.GuardToken());
        if (!stream || !response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(WsTestHost.GuardToken());
            return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), []);
        }

        var events = await ReadSseAsync(response);
        var last = events[^1];
        return (200, last.TryGetProperty("response", out var r) ? r : last, events);
    }

    public static async Task<List<JsonElement>> ReadSseAsync(HttpResponseMessage response)
    {
        using var stream = await response.Content.ReadAsStreamAsync(WsTestHost.GuardToken());
        var events = new List<JsonElement>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(WsTestHost.GuardToken()))
        {
            events.Add(item.Data == "[DONE]" ? JsonDocument.Parse("\"[DONE]\"").RootElement.Clone() : JsonDocument.Parse(item.Data).RootElement.Clone());
        }

        return events;
    }

    /// <summary>The turns this Loopwire ran (its own record of what each request carried).</summary>
    public async Task<List<JsonElement>> TurnsAsync()
    {
        var text = await Client.GetStringAsync("/loopwire/v1/turns", WsTestHost.GuardToken());
        return JsonDocument.Parse(text).RootElement.GetProperty("data").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }

    private static void Quiet(WebApplicationBuilder builder, CapturingLoggerProvider logs)
    {
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System", LogLevel.Warning);
        builder.Logging.AddProvider(logs);
    }
}
