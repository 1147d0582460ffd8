using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Server.Tests.WebSockets;
using Loopwire.TestKit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Stores;

/// <summary>
/// The database drops during a turn's final save: the client gets <c>response.failed</c> with <c>store_unavailable</c>
/// (the turn's terminal event, not a bare <c>error</c>) over SSE and WebSocket, and the server goes on serving.
/// </summary>
public sealed class FinalSaveUnavailableTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sse_FinalSaveUnavailable_ResponseFailedWithStoreUnavailable()
    {
        await using var host = new DroppingStoreHost(output);
        using var client = host.CreateClient();

        var events = await PostSseAsync(client, Turn(background: false));

        AssertFailedWithStoreUnavailable(events);
        Assert.Equal(1, host.Store.DroppedSaves);
    }

    [Fact]
    public async Task WebSocket_FinalSaveUnavailable_ResponseFailedThenTheSocketServesTheNextTurn()
    {
        await using var host = new DroppingStoreHost(output);
        var ws = new WsTestClient(await host.ConnectWebSocketAsync(cancellationToken: WsTestHost.GuardToken()));

        await ws.CreateAsync(Turn(background: false));
        var events = await ws.ReceiveTurnAsync();
        host.Store.Drop = false;
        await ws.CreateAsync(Turn(background: false));
        var next = await ws.ReceiveTurnAsync();

        AssertFailedWithStoreUnavailable(events);
        Assert.Equal("response.completed", WsTestClient.Type(next[^1]));
    }

    [Fact]
    public async Task Background_FinalSaveUnavailable_StreamEndsWithResponseFailed()
    {
        await using var host = new DroppingStoreHost(output);
        using var client = host.CreateClient();

        var events = await PostSseAsync(client, Turn(background: true));

        AssertFailedWithStoreUnavailable(events);
    }

    [Fact]
    public async Task Background_StoreGoneRightAfterQueued_RunGoesOnAndEndsWithResponseFailed()
    {
        await using var host = new DroppingStoreHost(output);
        host.Store.DropWhen = status => status != ResponseStatus.Queued;
        using var client = host.CreateClient();

        var events = await PostSseAsync(client, Turn(background: true));

        AssertFailedWithStoreUnavailable(events);
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "response.output_text.delta");
        // in_progress, then completed (the final save), then the failed object the run tries to leave behind.
        Assert.Equal(3, host.Store.DroppedSaves);
    }

    private static void AssertFailedWithStoreUnavailable(List<JsonElement> events)
    {
        var last = events[^1];
        Assert.Equal("response.failed", last.GetProperty("type").GetString());
        Assert.DoesNotContain(events, e => e.GetProperty("type").GetString() == "error");
        var error = last.GetProperty("response").GetProperty("error");
        Assert.Equal(ErrorCodes.StoreUnavailable, error.GetProperty("code").GetString());
        Assert.Contains("could not be stored", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static JsonObject Turn(bool background) => new()
    {
        ["model"] = "sim-instant",
        ["store"] = true,
        ["background"] = background,
        ["input"] = "Say something.",
    };

    private static async Task<List<JsonElement>> PostSseAsync(HttpClient client, JsonObject body)
    {
        body["stream"] = true;
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/v1/responses", content, WsTestHost.GuardToken());
        Assert.Equal(200, (int)response.StatusCode);
        using var stream = await response.Content.ReadAsStreamAsync(WsTestHost.GuardToken());
        var events = new List<JsonElement>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(WsTestHost.GuardToken()))
        {
            events.Add(JsonDocument.Parse(item.Data).RootElement.Clone());
        }

        return events;
    }

    /// <summary>A server whose store loses its database for the final save of a response (its terminal object).</summary>
    private sealed class DroppingStoreHost(ITestOutputHelper output) : LoopwireTestHost(output: output)
    {
        public DroppingStore Store { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<IResponseStore>(Store));
        }
    }

    private sealed class DroppingStore : IResponseStore
    {
        private readonly MemoryResponseStore _inner = new();
        private int _failed;

        public bool Drop { get; set; } = true;

        /// <summary>Which saves (by the saved object's status) find the database gone; terminal ones unless set.</summary>
        public Func<string, bool> DropWhen { get; set; } = ResponseStatus.IsTerminal;

        public int DroppedSaves => Volatile.Read(ref _failed);

        public Task SaveAsync(StoredResponse response, CancellationToken cancellationToken = default)
        {
            if (Drop && DropWhen(response.Response.Status))
            {
                Interlocked.Increment(ref _failed);
                throw new StoreUnavailableException("The PostgreSQL store at 127.0.0.1:5432/lw is unavailable: connection reset.");
            }

            return _inner.SaveAsync(response, cancellationToken);
        }

        public Task<StoredResponse?> GetAsync(string id, string? tenant, CancellationToken cancellationToken = default) =>
            _inner.GetAsync(id, tenant, cancellationToken);

        public Task<bool> DeleteAsync(string id, string? tenant, CancellationToken cancellationToken = default) =>
            _inner.DeleteAsync(id, tenant, cancellationToken);

        public Task<ResponseItem?> GetItemAsync(string itemId, string? tenant, CancellationToken cancellationToken = default) =>
            _inner.GetItemAsync(itemId, tenant, cancellationToken);
    }
}
