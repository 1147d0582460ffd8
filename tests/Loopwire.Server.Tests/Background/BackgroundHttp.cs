using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.Protocol.Responses;
using Loopwire.Server.Tests.Http;
using Loopwire.TestKit;

namespace Loopwire.Server.Tests.Background;

/// <summary>Raw-HTTP helpers for background responses: create, poll, cancel, and read SSE streams a piece at a time.</summary>
internal static class BackgroundHttp
{
    /// <summary>~65 tok/s: runs long enough to cancel or join mid-way.</summary>
    public const string SlowModel = "sim-gpt5";

    /// <summary>Generous guard against hangs; not a timing assertion.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    public static JsonObject Body(string model, bool stream, bool? store = null)
    {
        var body = ResponsesHttp.Request("Tell me about streams.", store);
        body["model"] = model;
        body["background"] = true;
        body["stream"] = stream;
        return body;
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, JsonObject body, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = ResponsesHttp.Content(body.ToJsonString()) };
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    /// <summary>Creates a background response without streaming and returns the object the POST answered with.</summary>
    public static async Task<JsonElement> CreateAsync(HttpClient client, string model)
    {
        using var http = await PostAsync(client, Body(model, stream: false));
        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        return await ResponsesHttp.ReadJsonAsync(http);
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, string id)
    {
        using var http = await client.GetAsync(new Uri($"/v1/responses/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        return await ResponsesHttp.ReadJsonAsync(http);
    }

    /// <summary>Polls until the status is terminal; returns every status seen and the last object.</summary>
    public static async Task<(List<string> Statuses, JsonElement Response)> PollAsync(HttpClient client, string id)
    {
        var statuses = new List<string>();
        JsonElement last = default;
        bool terminal = await Eventually.UntilAsync(
            async () =>
            {
                last = await GetAsync(client, id);
                string status = last.Str("status");
                if (statuses.Count == 0 || statuses[^1] != status)
                {
                    statuses.Add(status);
                }

                return status is not (ResponseStatus.Queued or ResponseStatus.InProgress);
            },
            HangGuard,
            TimeSpan.FromMilliseconds(20));
        Assert.True(terminal, $"response {id} still {statuses[^1]} after {HangGuard.TotalSeconds:0}s");
        return (statuses, last);
    }

    public static Task<HttpResponseMessage> StreamAgainAsync(HttpClient client, string id, int? startingAfter, CancellationToken ct = default)
    {
        string url = $"/v1/responses/{id}?stream=true" + (startingAfter is { } n ? $"&starting_after={n}" : "");
        return client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url), HttpCompletionOption.ResponseHeadersRead, ct);
    }

    /// <summary>
    /// Waits until the run has ended its event stream (a stream past the end then answers 400) and returns that
    /// error: "past the last event" while the events are kept, <c>stream_expired</c> once they are forgotten.
    /// </summary>
    public static async Task<JsonElement> WaitUntilStreamEndedAsync(HttpClient client, string id)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        while (true)
        {
            using var http = await StreamAgainAsync(client, id, 1_000_000, guard.Token);
            if (http.StatusCode == HttpStatusCode.BadRequest)
            {
                return (await ResponsesHttp.ReadJsonAsync(http)).GetProperty("error");
            }

            // Still running: the follow ends, empty, when the run does.
            await using var reader = await OpenAsync(http);
            Assert.Empty(await reader.ReadToEndAsync());
        }
    }

    public static Task<HttpResponseMessage> CancelAsync(HttpClient client, string id) =>
        client.PostAsync(new Uri($"/v1/responses/{id}/cancel", UriKind.Relative), null);

    /// <summary>An SSE reader that can stop part-way and go on later.</summary>
    public static async Task<SseReader> OpenAsync(HttpResponseMessage http)
    {
        if (http.StatusCode != HttpStatusCode.OK)
        {
            Assert.Fail($"Expected 200, got {(int)http.StatusCode}: {await http.Content.ReadAsStringAsync()}");
        }

        Assert.Equal("text/event-stream", http.Content.Headers.ContentType?.MediaType);
        var stream = await http.Content.ReadAsStreamAsync();
        return new SseReader(SseParser.Create(stream, static (_, data) => Encoding.UTF8.GetString(data)).EnumerateAsync().GetAsyncEnumerator());
    }

    /// <summary>Asserts sequence numbers run from <paramref name="first"/> without gaps.</summary>
    public static void AssertContiguous(IReadOnlyList<SseEvent> events, int first)
    {
        for (int i = 0; i < events.Count; i++)
        {
            Assert.Equal(first + i, events[i].Json.GetProperty("sequence_number").GetInt32());
        }
    }
}

/// <summary>Reads SSE events one by one.</summary>
internal sealed class SseReader(IAsyncEnumerator<SseItem<string>> items) : IAsyncDisposable
{
    public List<SseEvent> Events { get; } = [];

    /// <summary>Reads the next event, or null at the end of the stream.</summary>
    public async Task<SseEvent?> NextAsync()
    {
        if (!await items.MoveNextAsync().AsTask().WaitAsync(BackgroundHttp.HangGuard))
        {
            return null;
        }

        var e = new SseEvent(items.Current.EventType, items.Current.Data);
        Events.Add(e);
        return e;
    }

    /// <summary>Reads until the stream ends.</summary>
    public async Task<List<SseEvent>> ReadToEndAsync()
    {
        while (await NextAsync() is not null)
        {
        }

        return Events;
    }

    public ValueTask DisposeAsync() => items.DisposeAsync();
}
