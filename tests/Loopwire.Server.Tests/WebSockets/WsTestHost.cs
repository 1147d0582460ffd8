using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.TestKit;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.WebSockets;

/// <summary>The kit's in-memory host with the WebSocket tests' helpers: a hang guard, a <see cref="WsTestClient"/>, raw POSTs.</summary>
internal sealed class WsTestHost : LoopwireTestHost
{
    public WsTestHost(ITestOutputHelper? output = null, params (string Key, string Value)[] settings)
        : this(null, output, settings)
    {
    }

    /// <summary>A host whose connection timers and simulated models run on <paramref name="time"/>.</summary>
    public WsTestHost(TimeProvider? time, ITestOutputHelper? output, params (string Key, string Value)[] settings)
        : base(settings.Select(s => KeyValuePair.Create(s.Key, s.Value)), time, output)
    {
    }

    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    /// <summary>A token that only guards against hangs.</summary>
    public static CancellationToken GuardToken(TimeSpan? timeout = null) => new CancellationTokenSource(timeout ?? Guard).Token;

    public async Task<WsTestClient> ConnectAsync(string? apiKey = null, CancellationToken ct = default) =>
        new(await ConnectWebSocketAsync(apiKey, cancellationToken: ct == default ? GuardToken() : ct));

    /// <summary>POST /v1/responses (non-streaming); returns the status and the JSON body.</summary>
    public async Task<(int Status, JsonElement Body)> PostAsync(JsonObject body, string? apiKey = null)
    {
        using var client = CreateClient(apiKey);
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
        using var client = CreateClient(apiKey);
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

    /// <summary>GET /v1/responses/{id}/input_items in order; returns the items.</summary>
    public async Task<List<JsonElement>> InputItemsAsync(string id)
    {
        using var client = CreateClient();
        using var response = await client.GetAsync($"/v1/responses/{id}/input_items?order=asc", GuardToken());
        Assert.Equal(200, (int)response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(GuardToken())).RootElement.Clone();
        return [.. body.GetProperty("data").EnumerateArray()];
    }

    /// <summary>GET /v1/responses/{id}; returns the status.</summary>
    public async Task<int> GetStatusAsync(string id, string? apiKey = null)
    {
        using var client = CreateClient(apiKey);
        using var response = await client.GetAsync($"/v1/responses/{id}", GuardToken());
        return (int)response.StatusCode;
    }
}
