using System.Net;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Stores;
using Loopwire.Server.Telemetry;
using Loopwire.Server.Tests.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Telemetry;

/// <summary><c>/healthz</c> and <c>/readyz</c>: no key, one word, 503 while starting or draining.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class HealthEndpointTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Probes_WithApiKeysConfigured_AnswerWithoutAKey()
    {
        await using var host = new TracedHost(output, ("Loopwire:ApiKeys:0", "sk-a=alice"));
        using var client = host.Client();

        var health = await client.GetAsync("/healthz", WsTestHost.GuardToken());
        var ready = await client.GetAsync("/readyz", WsTestHost.GuardToken());
        var models = await client.GetAsync("/v1/models", WsTestHost.GuardToken());

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", await health.Content.ReadAsStringAsync(WsTestHost.GuardToken()));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", await ready.Content.ReadAsStringAsync(WsTestHost.GuardToken()));
        Assert.Equal(HttpStatusCode.Unauthorized, models.StatusCode);
    }

    [Fact]
    public async Task Readyz_DuringATurnOnAWebSocket_IsReady()
    {
        await using var host = new TracedHost(output);
        await using var ws = await host.ConnectAsync();
        await ws.CreateAsync(WsJson.Request(WsJson.Slow, false, [WsJson.User("Write a long story.")]));
        Assert.Equal("response.created", WsTestClient.Type((await ws.ReceiveAsync())!.Value));
        using var client = host.Client();

        var ready = await client.GetAsync("/readyz", WsTestHost.GuardToken());

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Readyz_WhenTheServerIsDraining_Is503AndHealthzStaysOk()
    {
        await using var host = new TracedHost(output);
        using var client = host.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz", WsTestHost.GuardToken())).StatusCode);

        // The test server goes away once the host has stopped: ask while it drains, from the stopping callback.
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        HttpResponseMessage? ready = null, health = null;
        using (lifetime.ApplicationStopping.Register(() =>
        {
            ready = client.GetAsync("/readyz", WsTestHost.GuardToken()).GetAwaiter().GetResult();
            health = client.GetAsync("/healthz", WsTestHost.GuardToken()).GetAwaiter().GetResult();
        }))
        {
            await Task.Run(lifetime.StopApplication);
        }

        Assert.NotNull(ready);
        Assert.NotNull(health);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("not ready: draining", await ready.Content.ReadAsStringAsync(WsTestHost.GuardToken()));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task CheckAsync_BeforeTheHostStarted_IsStarting()
    {
        var lifetime = new FakeLifetime();
        var probe = new ReadinessProbe(new MemoryResponseStore(), Router(), lifetime, TimeProvider.System);

        Assert.Equal("starting", await probe.CheckAsync(CancellationToken.None));
        lifetime.Start();
        Assert.Null(await probe.CheckAsync(CancellationToken.None));
        lifetime.StopApplication();
        Assert.Equal("draining", await probe.CheckAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CheckAsync_StoreFails_IsStoreWithoutTheErrorText()
    {
        var lifetime = new FakeLifetime();
        lifetime.Start();
        var probe = new ReadinessProbe(new FailingStore(), Router(), lifetime, TimeProvider.System);

        Assert.Equal("store", await probe.CheckAsync(CancellationToken.None));
    }

    private static ModelRouter Router() => new(new NoBackend());

    private sealed class NoBackend : IModelBackend
    {
        public IReadOnlyList<string> Models => ["m"];

        public IAsyncEnumerable<ModelChunk> StreamAsync(ModelRequest request, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }

    private sealed class FailingStore : IResponseStore
    {
        public Task SaveAsync(StoredResponse response, CancellationToken cancellationToken = default) => throw new IOException("disk gone");

        public Task<StoredResponse?> GetAsync(string id, string? tenant, CancellationToken cancellationToken = default) =>
            throw new IOException("secret path /var/lib/loopwire is gone");

        public Task<bool> DeleteAsync(string id, string? tenant, CancellationToken cancellationToken = default) => throw new IOException();

        public Task<Protocol.Items.ResponseItem?> GetItemAsync(string itemId, string? tenant, CancellationToken cancellationToken = default) =>
            throw new IOException();
    }

    private sealed class FakeLifetime : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _started = new();
        private readonly CancellationTokenSource _stopping = new();
        private readonly CancellationTokenSource _stopped = new();

        public CancellationToken ApplicationStarted => _started.Token;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => _stopped.Token;

        public void Start() => _started.Cancel();

        public void StopApplication() => _stopping.Cancel();
    }
}
