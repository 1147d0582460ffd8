using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.WebSockets.WsJson;
using static Loopwire.Server.Tests.WebSockets.WsTestClient;

namespace Loopwire.Server.Tests.WebSockets;

public sealed class WebSocketUpgradeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Upgrade_WebSocketDisabled_Refused426()
    {
        await using var host = new WsTestHost(output, ("Loopwire:WebSocket:Enabled", "false"));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => host.ConnectAsync());
        Assert.Contains("426", ex.Message);

        var (status, body, accepted) = await RawUpgradeAsync(host, apiKey: null);
        Assert.Equal(426, status);
        Assert.False(accepted);
        Assert.Equal("websocket_disabled", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", body.GetProperty("error").GetProperty("type").GetString());

        // HTTP still serves, so the client can fall back.
        var (postStatus, _) = await host.PostAsync(Request(Instant, false, Items(User("Fallback."))));
        Assert.Equal(200, postStatus);
    }

    [Fact]
    public async Task Upgrade_WithoutApiKey_Refused401WithoutUpgrade()
    {
        await using var host = new WsTestHost(output, ("Loopwire:ApiKeys:0", "secret"));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => host.ConnectAsync(apiKey: null));
        Assert.Contains("401", ex.Message);

        var (status, body, accepted) = await RawUpgradeAsync(host, apiKey: null);
        Assert.Equal(401, status);
        Assert.False(accepted);
        Assert.Equal("invalid_request_error", body.GetProperty("error").GetProperty("type").GetString());

        (status, body, accepted) = await RawUpgradeAsync(host, apiKey: "wrong");
        Assert.Equal(401, status);
        Assert.False(accepted);
        Assert.Equal("invalid_api_key", body.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Upgrade_WithBearerApiKey_ServesResponses()
    {
        await using var host = new WsTestHost(output, ("Loopwire:ApiKeys:0", "secret"));
        await using var ws = await host.ConnectAsync(apiKey: "secret");

        var events = await ws.RunAsync(Request(Instant, false, Items(User("Hello."))));

        Assert.Equal("response.completed", Type(Last(events)));
    }

    [Fact]
    public async Task PreviousResponseId_OtherTenantsStoredResponse_NotFound()
    {
        await using var host = new WsTestHost(output, ("Loopwire:ApiKeys:0", "a=t1"), ("Loopwire:ApiKeys:1", "b=t2"));
        var (status, created) = await host.PostAsync(Request(Instant, true, Items(User("Tenant one's secret."))), apiKey: "a");
        Assert.Equal(200, status);
        string id = created.GetProperty("id").GetString()!;

        await using (var t2 = await host.ConnectAsync(apiKey: "b"))
        {
            var denied = await t2.RunAsync(Request(Instant, false, Items(User("Show it.")), previousResponseId: id));
            Assert.Equal("previous_response_not_found", Code(Assert.Single(denied)));
        }

        Assert.Equal(404, await host.GetStatusAsync(id, apiKey: "b"));

        // The owner still sees it, over HTTP and hydrated over a socket.
        Assert.Equal(200, await host.GetStatusAsync(id, apiKey: "a"));
        await using var t1 = await host.ConnectAsync(apiKey: "a");
        var allowed = await t1.RunAsync(Request(Instant, false, Items(User("Show it.")), previousResponseId: id));
        Assert.Equal("response.completed", Type(Last(allowed)));
    }

    /// <summary>
    /// An upgrade request sent through <c>TestServer.SendAsync</c> with a probe WebSocket feature, so a refused
    /// upgrade's status and JSON body can be read (the TestHost WebSocket client only reports the status in an exception).
    /// </summary>
    private static async Task<(int Status, JsonElement Body, bool Accepted)> RawUpgradeAsync(WsTestHost host, string? apiKey)
    {
        var probe = new UpgradeProbe();
        var context = await host.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = "/v1/responses";
            c.Request.Headers.Connection = "Upgrade";
            c.Request.Headers.Upgrade = "websocket";
            c.Request.Headers.SecWebSocketVersion = "13";
            c.Request.Headers.SecWebSocketKey = Convert.ToBase64String(new byte[16]);
            if (apiKey is not null)
            {
                c.Request.Headers.Authorization = "Bearer " + apiKey;
            }

            c.Features.Set<IHttpWebSocketFeature>(probe);
        }, WsTestHost.GuardToken());
        Assert.StartsWith("application/json", context.Response.ContentType);
        var body = await JsonDocument.ParseAsync(context.Response.Body, cancellationToken: WsTestHost.GuardToken());
        return (context.Response.StatusCode, body.RootElement.Clone(), probe.Accepted);
    }

    private sealed class UpgradeProbe : IHttpWebSocketFeature
    {
        public bool Accepted { get; private set; }

        public bool IsWebSocketRequest => true;

        public Task<WebSocket> AcceptAsync(WebSocketAcceptContext context)
        {
            Accepted = true;
            throw new InvalidOperationException("The upgrade was accepted.");
        }
    }
}
