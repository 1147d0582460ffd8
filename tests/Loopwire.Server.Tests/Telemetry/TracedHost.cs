using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.Server.Telemetry;
using Loopwire.Server.Tests.WebSockets;
using Loopwire.TestKit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Telemetry;

/// <summary>
/// A Loopwire server in memory whose traces go to an in-memory exporter: the spans it finished, for assertions.
/// </summary>
/// <remarks>
/// Activity sources are process-wide, so the exporter also sees spans of other servers that tests run at the same time:
/// find spans by the response id (or trace id) the test created.
/// </remarks>
internal sealed class TracedHost(ITestOutputHelper? output = null, params (string Key, string Value)[] settings)
    : LoopwireTestHost([KeyValuePair.Create("Loopwire:DefaultModelProfile", WsJson.Instant), .. settings.Select(s => KeyValuePair.Create(s.Key, s.Value))],
        null, output)
{
    /// <summary>Every span exported so far.</summary>
    public SpanList Spans { get; } = new();

    public async Task<WsTestClient> ConnectAsync(string? apiKey = null) =>
        new(await ConnectWebSocketAsync(apiKey, cancellationToken: WsTestHost.GuardToken()));

    public HttpClient Client(string? apiKey = null) => CreateClient(apiKey);

    /// <summary>POST /v1/responses; streaming returns the terminal event's response. Headers (e.g. <c>traceparent</c>) are added.</summary>
    public async Task<(int Status, JsonElement Body)> PostAsync(JsonObject body, bool stream = false, string? apiKey = null,
        params (string Name, string Value)[] headers)
    {
        var copy = body.DeepClone().AsObject();
        copy["stream"] = stream;
        using var client = Client(apiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            Content = new StringContent(copy.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request, WsTestHost.GuardToken());
        if (!stream || !response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(WsTestHost.GuardToken());
            return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
        }

        var events = await Upstream.LoopbackApp.ReadSseAsync(response);
        var last = events[^1];
        return (200, last.TryGetProperty("response", out var r) ? r : last);
    }

    /// <summary>Waits for the response span of <paramref name="responseId"/> (the engine ends it once the stream is done).</summary>
    public Task<Activity> ResponseSpanAsync(string responseId) =>
        SpanAsync(a => a.Source.Name == "Loopwire.Engine" && Equals(a.GetTagItem("gen_ai.response.id"), responseId), "response " + responseId);

    /// <summary>Waits for a span; fails after the hang guard.</summary>
    public async Task<Activity> SpanAsync(Func<Activity, bool> match, string what)
    {
        Activity? hit = null;
        return await Eventually.UntilAsync(() => (hit = Spans.Snapshot().FirstOrDefault(match)) is not null, WsTestHost.Guard,
            TimeSpan.FromMilliseconds(10))
            ? hit!
            : throw new TimeoutException($"No span for {what}.");
    }

    /// <summary>The finished children of <paramref name="parent"/>, by name.</summary>
    public Dictionary<string, Activity> Children(Activity parent)
    {
        return Spans.Snapshot().Where(a => a.ParentSpanId == parent.SpanId && a.TraceId == parent.TraceId)
            .GroupBy(a => a.DisplayName).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddOpenTelemetry().WithTracing(t => LoopwireTelemetry.ConfigureTracing(t).AddInMemoryExporter(Spans)));
    }
}

/// <summary>The in-memory exporter's collection, safe to add to from the server's threads while a test reads it.</summary>
internal sealed class SpanList : Collection<Activity>
{
    private readonly Lock _lock = new();

    public Activity[] Snapshot()
    {
        lock (_lock)
        {
            return [.. Items];
        }
    }

    protected override void InsertItem(int index, Activity item)
    {
        lock (_lock)
        {
            base.InsertItem(Items.Count, item);
        }
    }
}
