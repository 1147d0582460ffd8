using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Loopwire.Engine;
using Loopwire.Grpc;
using Loopwire.Server.Hosting;
using Loopwire.Server.WebSockets;
using Loopwire.TestKit;
using Microsoft.Extensions.DependencyInjection;
using static Loopwire.Server.Tests.Grpc.GrpcWire;
using static Loopwire.Server.Tests.WebSockets.WsJson;

namespace Loopwire.Server.Tests.Grpc;

/// <summary>A gRPC stream that ends without a clean end leaves its cache detached, as a dropped WebSocket does.</summary>
public sealed class GrpcReattachTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task NewStream_PreviousResponseOfCancelledStream_ContinuesWithDelta()
    {
        await using var server = await LoopbackServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.GrpcUrl!);
        var client = new Responses.ResponsesClient(channel);
        var caches = server.Services.GetRequiredService<DetachedCaches>();
        string id = await FirstTurnThenCancelAsync(client);
        Assert.True(await Eventually.UntilAsync(() => caches.Count == 1, Guard));

        using var again = client.Connect();
        var next = await RunAsync(again, Create(Request(Instant, false, Items(User("What was the word?")), previousResponseId: id)));

        Assert.Equal("response.completed", Type(next[^1]));
        string nextId = Response(next[^1]).GetProperty("id").GetString()!;
        var record = server.Services.GetRequiredService<ResponseEngine>().Recorder.Find(nextId);
        Assert.NotNull(record);
        Assert.Equal("detached", record.Continuation);
        Assert.Equal(1, record.ItemsRendered);
        Assert.Equal(0, caches.Count);

        // The new stream owns the chain now.
        var third = await RunAsync(again, Create(Request(Instant, false, Items(User("Thanks.")), previousResponseId: nextId)));
        Assert.Equal("response.completed", Type(third[^1]));
    }

    [Fact]
    public async Task NewStream_ZeroGrace_PreviousResponseNotFound()
    {
        await using var server = await LoopbackServer.StartAsync(new Dictionary<string, string?> { ["Loopwire:WebSocket:DetachedCacheSeconds"] = "0" });
        using var channel = GrpcChannel.ForAddress(server.GrpcUrl!);
        var client = new Responses.ResponsesClient(channel);
        string id = await FirstTurnThenCancelAsync(client);

        using var again = client.Connect();
        var next = await RunAsync(again, Create(Request(Instant, false, Items(User("What was the word?")), previousResponseId: id)));
        Assert.Equal("previous_response_not_found", Code(Assert.Single(next)));
    }

    private static async Task<string> FirstTurnThenCancelAsync(Responses.ResponsesClient client)
    {
        using var cts = new CancellationTokenSource();
        using var call = client.Connect(cancellationToken: cts.Token);
        var first = await RunAsync(call, Create(Request(Instant, false, Items(User("Hello, remember the word tangerine.")))));
        Assert.Equal("response.completed", Type(first[^1]));
        await cts.CancelAsync();
        return Response(first[^1]).GetProperty("id").GetString()!;
    }
}
