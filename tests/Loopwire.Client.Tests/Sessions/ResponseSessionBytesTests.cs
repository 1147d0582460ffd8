using System.Text;
using Loopwire.Client.Sessions;
using Loopwire.Client.Tests.Support;
using Loopwire.Protocol.Items;
using Xunit.Abstractions;
using static Loopwire.Client.Tests.Support.LoopwireServer;

namespace Loopwire.Client.Tests.Sessions;

public sealed class ResponseSessionBytesTests(LoopwireServer server, ITestOutputHelper output) : IClassFixture<LoopwireServer>
{
    private const int Turns = 40;

    [Fact]
    public async Task RunTurn_FortyTurnAgentLoop_DeltaSendsFarFewerBytesThanFullReplay()
    {
        var perTurn = new Dictionary<SessionTransport, List<TurnMetrics>>();
        var outputs = new Dictionary<SessionTransport, string>();
        // gRPC needs a real HTTP/2 port (ResponseSessionGrpcPollingTests); this fixture is an in-process server.
        foreach (var transport in Enum.GetValues<SessionTransport>().Where(t => t != SessionTransport.Grpc))
        {
            await using var session = new ResponseSession(server.SessionOptions(transport));
            var (metrics, items) = await AgentLoopAsync(session);
            perTurn[transport] = metrics;
            outputs[transport] = WithoutIds(items);
        }

        var report = new StringBuilder();
        report.AppendLine("turn | ws (delta) | ws-full | http-chained | http-stateless   (bytes sent)");
        for (int i = 0; i < Turns; i++)
        {
            report.AppendLine($"{i + 1,4} | {perTurn[SessionTransport.WebSocket][i].BytesSent,10} | {perTurn[SessionTransport.WebSocketFullReplay][i].BytesSent,7} | " +
                $"{perTurn[SessionTransport.HttpChained][i].BytesSent,12} | {perTurn[SessionTransport.HttpStateless][i].BytesSent,14}");
        }

        foreach (var (transport, metrics) in perTurn)
        {
            report.AppendLine($"{transport}: sent {metrics.Sum(m => m.BytesSent)} B total, {metrics.Average(m => m.BytesSent):0} B/turn avg, " +
                $"last turn {metrics[^1].BytesSent} B, items sent {metrics.Sum(m => m.ItemsSent)}, received {metrics.Sum(m => m.BytesReceived)} B");
        }

        output.WriteLine(report.ToString());
        long delta = perTurn[SessionTransport.WebSocket].Sum(m => m.BytesSent);
        long full = perTurn[SessionTransport.WebSocketFullReplay].Sum(m => m.BytesSent);
        Assert.True(delta * 5 < full, $"delta {delta} B vs full {full} B");
        Assert.All(outputs, kv => Assert.Equal(outputs[SessionTransport.HttpStateless], kv.Value));
    }

    /// <summary>An agent loop: every other turn asks for a tool, whose ~600-byte result is fed back.</summary>
    private static async Task<(List<TurnMetrics> Metrics, List<ResponseItem> Items)> AgentLoopAsync(ResponseSession session)
    {
        var options = Options();
        var metrics = new List<TurnMetrics>();
        List<ResponseItem> conversation = [User("Please call lookup for the first city.")];
        string toolResult = string.Join(' ', Enumerable.Repeat("line of tool output with some file content;", 14));
        for (int turn = 0; turn < Turns; turn++)
        {
            var result = await session.RunTurnAsync(conversation, options);
            metrics.Add(result.Metrics);
            conversation.AddRange(result.Output);
            if (result.Output.LastOrDefault() is FunctionCallItem call)
            {
                conversation.Add(ToolOutput(call.CallId, $"{turn}: {toolResult}"));
            }
            else
            {
                conversation.Add(User(turn % 4 == 1 ? $"Now call lookup again for step {turn}." : $"Continue with step {turn}."));
            }
        }

        return (metrics, conversation);
    }
}
