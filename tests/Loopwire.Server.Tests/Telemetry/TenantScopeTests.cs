using System.Net;
using System.Text.Json;
using Loopwire.Server.Tests.WebSockets;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Telemetry;

/// <summary>
/// The security fix of issue 14: <c>/loopwire/v1/turns</c> answers only the caller's own turns (alice's response ids,
/// token counts and timings are not bob's to read), for turns made over HTTP and over WebSocket.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class TenantScopeTests(ITestOutputHelper output)
{
    private const string Alice = "sk-alice";
    private const string Bob = "sk-bob";

    [Fact]
    public async Task Turns_TwoTenants_EachListsOnlyItsOwnTurns()
    {
        await using var host = new TracedHost(output, ("Loopwire:ApiKeys:0", Alice + "=alice"), ("Loopwire:ApiKeys:1", Bob + "=bob"));
        var (_, http) = await host.PostAsync(WsJson.Request(WsJson.Instant, true, [WsJson.User("alice over http")]), apiKey: Alice);
        string aliceHttp = http.GetProperty("id").GetString()!;
        string aliceWs;
        await using (var ws = await host.ConnectAsync(Alice))
        {
            aliceWs = (await ws.RunAsync(WsJson.Request(WsJson.Instant, false, [WsJson.User("alice over ws")])))[^1]
                .GetProperty("response").GetProperty("id").GetString()!;
        }

        var (_, bobs) = await host.PostAsync(WsJson.Request(WsJson.Instant, true, [WsJson.User("bob over http")]), apiKey: Bob);
        string bobHttp = bobs.GetProperty("id").GetString()!;
        await host.ResponseSpanAsync(aliceWs);

        var aliceSees = await TurnIdsAsync(host, Alice);
        var bobSees = await TurnIdsAsync(host, Bob);

        Assert.Contains(aliceHttp, aliceSees);
        Assert.Contains(aliceWs, aliceSees);
        Assert.DoesNotContain(bobHttp, aliceSees);
        Assert.Equal([bobHttp], bobSees);
    }

    [Fact]
    public async Task Turns_ByResponseIdOfAnotherTenant_IsNotFound()
    {
        await using var host = new TracedHost(output, ("Loopwire:ApiKeys:0", Alice + "=alice"), ("Loopwire:ApiKeys:1", Bob + "=bob"));
        string aliceWs;
        await using (var ws = await host.ConnectAsync(Alice))
        {
            aliceWs = (await ws.RunAsync(WsJson.Request(WsJson.Instant, false, [WsJson.User("alice over ws")])))[^1]
                .GetProperty("response").GetProperty("id").GetString()!;
        }

        await host.ResponseSpanAsync(aliceWs);
        using var bob = host.Client(Bob);
        using var alice = host.Client(Alice);

        var asBob = await bob.GetAsync($"/loopwire/v1/turns?response_id={aliceWs}", WsTestHost.GuardToken());
        var asAlice = await alice.GetAsync($"/loopwire/v1/turns?response_id={aliceWs}", WsTestHost.GuardToken());

        Assert.Equal(HttpStatusCode.NotFound, asBob.StatusCode);
        Assert.DoesNotContain("alice", await asBob.Content.ReadAsStringAsync(WsTestHost.GuardToken()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, asAlice.StatusCode);
        var body = await asAlice.Content.ReadAsStringAsync(WsTestHost.GuardToken());
        Assert.Contains(aliceWs, body, StringComparison.Ordinal);
        Assert.DoesNotContain("tenant", body, StringComparison.Ordinal);
    }

    private static async Task<List<string>> TurnIdsAsync(TracedHost host, string key)
    {
        using var client = host.Client(key);
        var text = await client.GetStringAsync("/loopwire/v1/turns", WsTestHost.GuardToken());
        return JsonDocument.Parse(text).RootElement.GetProperty("data").EnumerateArray()
            .Select(t => t.GetProperty("response_id").GetString()!).ToList();
    }
}
