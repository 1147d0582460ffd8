using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.Client.Sessions;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Faults;

/// <summary>A real <c>loopwire serve</c> process killed with SIGKILL or stopped with SIGTERM.</summary>
public sealed class ProcessFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    /// <summary>0, or 143 (128 + SIGTERM), which System.CommandLine returns when SIGTERM cancelled the command and it then ended normally.</summary>
    private static readonly int?[] GracefulExitCodes = [0, 143];

    [Fact]
    public async Task KillNine_SqliteStore_NoCompletedStoredResponseLost()
    {
        const int count = 40;
        string db = Path.Combine(Path.GetTempPath(), $"loopwire-kill9-{Guid.NewGuid():N}.db");
        try
        {
            var ids = new List<string>();
            using (var first = await LoopwireProcess.ServeAsync(["--store", "sqlite:" + db]))
            {
                using var http = new HttpClient { BaseAddress = new Uri(first.Address!), Timeout = Guard };
                for (int i = 0; i < count; i++)
                {
                    var body = new JsonObject { ["model"] = "sim-instant", ["input"] = $"remember number {i}" };
                    using var response = await http.PostAsync("/v1/responses", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                    Assert.Equal("completed", json.GetProperty("status").GetString());
                    ids.Add(json.GetProperty("id").GetString()!);
                }

                // SIGKILL right after the last answer: no shutdown code runs.
                first.Kill();
            }

            using var second = await LoopwireProcess.ServeAsync(["--store", "sqlite:" + db]);
            using var http2 = new HttpClient { BaseAddress = new Uri(second.Address!), Timeout = Guard };
            int found = 0;
            foreach (var id in ids)
            {
                using var response = await http2.GetAsync($"/v1/responses/{id}");
                if (response.StatusCode == HttpStatusCode.OK
                    && JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString() == "completed")
                {
                    found++;
                }
            }

            output.WriteLine($"{count} stored, SIGKILL, restart: {found} retrievable, {count - found} lost");
            Assert.Equal(count, found);
        }
        finally
        {
            foreach (var f in new[] { db, db + "-wal", db + "-shm" })
            {
                File.Delete(f);
            }
        }
    }

    [Fact]
    public async Task Sigterm_ResponseInFlight_FinishesThenCloses1001AndExits()
    {
        using var server = await LoopwireProcess.ServeAsync(["--store", "memory"]);
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri(server.Address!.Replace("http://", "ws://", StringComparison.Ordinal) + "/v1/responses"), Token());
        var create = new JsonObject { ["type"] = "response.create", ["model"] = "sim-gpt5", ["store"] = false, ["input"] = "a long answer please" };
        await ws.SendAsync(Encoding.UTF8.GetBytes(create.ToJsonString()), WebSocketMessageType.Text, true, Token());
        var types = new List<string> { (await ReceiveTypeAsync(ws))! };
        Assert.Equal("response.created", types[0]);

        server.Terminate();
        while (await ReceiveTypeAsync(ws) is { } type)
        {
            types.Add(type);
        }

        int? exit = await server.WaitForExitAsync(Guard);
        output.WriteLine($"events after SIGTERM: {types.Count}, last {types[^1]}; close {ws.CloseStatus} '{ws.CloseStatusDescription}'; exit {exit}");
        Assert.Contains(types[^1], new[] { "response.completed", "response.failed", "error" });
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, ws.CloseStatus);
        Assert.Contains(exit, GracefulExitCodes);
    }

    [Fact]
    public async Task Sigterm_SessionBetweenTurns_ReconnectsAndReplaysOnRestartedServer()
    {
        int port = FreePort();
        var options = new CreateResponseRequest { Model = "sim-instant" };
        List<ResponseItem> conversation = [User("first question")];
        await using var session = new ResponseSession(new ResponseSessionOptions
        {
            Endpoint = new Uri($"http://127.0.0.1:{port}/"),
            Transport = SessionTransport.WebSocket,
            MaxConnectAttempts = 8,
            ReconnectMaxDelay = TimeSpan.FromSeconds(2),
        });

        using (var first = await LoopwireProcess.ServeAsync(["--port", $"{port}", "--store", "memory"]))
        {
            var turn1 = await session.RunTurnAsync(conversation, options, Token());
            conversation.AddRange(turn1.Output);
            Assert.Equal("completed", turn1.Response.Status);
            first.Terminate();
            Assert.Contains(await first.WaitForExitAsync(Guard), GracefulExitCodes);
        }

        using var second = await LoopwireProcess.ServeAsync(["--port", $"{port}", "--store", "memory"]);
        conversation.Add(User("second question"));
        var turn2 = await session.RunTurnAsync(conversation, options, Token());

        output.WriteLine($"turn 2: items sent {turn2.Metrics.ItemsSent}, previous_response_id {turn2.Metrics.UsedPreviousResponseId}, " +
            $"reconnects {turn2.Metrics.Reconnects}, replays {turn2.Metrics.Replays}");
        Assert.Equal("completed", turn2.Response.Status);
        Assert.NotEmpty(turn2.Output);
        // The delta first (a restarted server has no detached cache: previous_response_not_found), then the replay.
        Assert.Equal(1, turn2.Metrics.Replays);
        Assert.Equal(1 + conversation.Count, turn2.Metrics.ItemsSent);
    }

    private static MessageItem User(string text) => new() { Role = "user", Content = MessageContent.FromText(text) };

    private static CancellationToken Token() => new CancellationTokenSource(Guard).Token;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The next message's <c>type</c>; null at the close frame.</summary>
    private static async Task<string?> ReceiveTypeAsync(ClientWebSocket ws)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer, Token());
            if (r.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, r.Count);
            if (r.EndOfMessage)
            {
                return JsonDocument.Parse(message.ToArray()).RootElement.GetProperty("type").GetString();
            }
        }
    }
}
