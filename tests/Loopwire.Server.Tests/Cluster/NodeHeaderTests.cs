using System.Globalization;
using System.Net.WebSockets;
using Loopwire.Server.Hosting;
using Loopwire.Server.Http;

namespace Loopwire.Server.Tests.Cluster;

/// <summary>The <c>x-loopwire-node</c> header names the node on every response, the WebSocket upgrade included.</summary>
public sealed class NodeHeaderTests
{
    [Fact]
    public async Task Responses_NodeNameConfigured_EveryResponseAndTheUpgradeCarryIt()
    {
        await using var server = await LoopbackServer.StartAsync(new Dictionary<string, string?> { ["Loopwire:NodeName"] = "node-7" });
        using var http = new HttpClient { BaseAddress = server.BaseUrl };

        using var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
        using var missing = await http.GetAsync(new Uri("/v1/responses/resp_nope", UriKind.Relative));
        using var ws = new ClientWebSocket();
        ws.Options.CollectHttpResponseDetails = true;
        await ws.ConnectAsync(new Uri($"ws://{server.BaseUrl.Authority}/v1/responses"), CancellationToken.None);

        Assert.Equal("node-7", Assert.Single(health.Headers.GetValues(NodeHeader.Name)));
        Assert.Equal(404, (int)missing.StatusCode);
        Assert.Equal("node-7", Assert.Single(missing.Headers.GetValues(NodeHeader.Name)));
        Assert.Equal("node-7", Assert.Single(ws.HttpResponseHeaders![NodeHeader.Name]));
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    [Fact]
    public async Task Responses_NoNodeName_HostNameAndPort()
    {
        await using var server = await LoopbackServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUrl };

        using var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{server.BaseUrl.Port}"),
            Assert.Single(health.Headers.GetValues(NodeHeader.Name)));
    }
}
