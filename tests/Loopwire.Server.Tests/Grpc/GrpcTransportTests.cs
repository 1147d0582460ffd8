using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Loopwire.Grpc;
using Loopwire.Server.Hosting;
using Loopwire.Server.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using static Loopwire.Server.Tests.Grpc.GrpcWire;
using static Loopwire.Server.Tests.WebSockets.WsJson;

namespace Loopwire.Server.Tests.Grpc;

/// <summary>The gRPC transport against a real Kestrel server on loopback: HTTP/2 cleartext on the same port as HTTP/1.1.</summary>
public sealed class GrpcTransportTests
{
    private const string Alice = "sk-alice";

    [Fact]
    public async Task Connect_CreateThenDeltaContinuation_AnswersFromTheStreamsCache()
    {
        await using var server = await LoopbackServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.GrpcUrl!);
        using var call = new Responses.ResponsesClient(channel).Connect();

        var first = await RunAsync(call, Create(Request(Instant, false, Items(User("Please use get_weather for Paris.")), tools: true)));
        Assert.Equal("response.completed", Type(first[^1]));
        var r1 = Response(first[^1]);
        var toolCall = Assert.Single(r1.GetProperty("output").EnumerateArray());
        string callId = toolCall.GetProperty("call_id").GetString()!;
        string id1 = r1.GetProperty("id").GetString()!;

        // store: false, so only the stream's own cache can know id1.
        var second = await RunAsync(call, Create(Request(Instant, false, Items(ToolOutput(callId, "Sunny, 21 C")), tools: true,
            previousResponseId: id1)));
        Assert.Equal("response.completed", Type(second[^1]));
        var r2 = Response(second[^1]);
        Assert.Equal(id1, r2.GetProperty("previous_response_id").GetString());
        var message = Assert.Single(r2.GetProperty("output").EnumerateArray());
        Assert.StartsWith("The tool returned: Sunny, 21 C.", message.GetProperty("content")[0].GetProperty("text").GetString());
        AssertContiguousSequence(first);
        AssertContiguousSequence(second);

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Connect_UnknownPreviousResponse_ErrorEventAndTheStreamStaysUsable()
    {
        await using var server = await LoopbackServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.GrpcUrl!);
        using var call = new Responses.ResponsesClient(channel).Connect();

        var missing = await RunAsync(call, Create(Request(Instant, false, Items(User("hello")), previousResponseId: "resp_nope")));
        var error = Assert.Single(missing);
        Assert.Equal("error", Type(error));
        Assert.Equal("previous_response_not_found", Code(error));

        var ok = await RunAsync(call, Create(Request(Instant, false, Items(User("hello")))));
        Assert.Equal("response.completed", Type(ok[^1]));
    }

    [Fact]
    public async Task Connect_ChainFromAnotherStream_IsNotFound()
    {
        await using var server = await LoopbackServer.StartAsync();
        var detached = server.Services.GetRequiredService<DetachedCaches>();
        using var channel = GrpcChannel.ForAddress(server.GrpcUrl!);
        var client = new Responses.ResponsesClient(channel);
        string id;
        using (var call = client.Connect())
        {
            var first = await RunAsync(call, Create(Request(Instant, false, Items(User("hello")))));
            id = Response(first[^1]).GetProperty("id").GetString()!;

            // A clean end: the client completes its side and reads the server's status (a call disposed before that is
            // cancelled, and a cancelled stream's cache is kept detached for a reconnect).
            await call.RequestStream.CompleteAsync();
            Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        }

        using var other = client.Connect();
        var events = await RunAsync(other, Create(Request(Instant, false, Items(User("again")), previousResponseId: id)));
        Assert.Equal("previous_response_not_found", Code(Assert.Single(events)));
        Assert.Equal(0, detached.Count);
    }

    [Theory]
    [InlineData("{not json", "invalid_json")]
    [InlineData("[1,2]", "invalid_json")]
    [InlineData("""{"type":"response.cancel"}""", "unknown_message_type")]
    [InlineData("""{"type":"response.create","model":"sim-instant","input":"hi","background":true}""", "unsupported_parameter")]
    public async Task Connect_BadMessage_ErrorEventNotACrash(string json, string code)
    {
        await using var server = await LoopbackServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.GrpcUrl!);
        using var call = new Responses.ResponsesClient(channel).Connect();

        var events = await RunAsync(call, new WireMessage { Json = ByteString.CopyFromUtf8(json) });
        var error = Assert.Single(events);
        Assert.Equal("error", Type(error));
        Assert.Equal(code, Code(error));

        var ok = await RunAsync(call, Create(Request(Instant, false, Items(User("still here")))));
        Assert.Equal("response.completed", Type(ok[^1]));
    }

    [Fact]
    public async Task Connect_InvalidUtf8_ErrorEvent()
    {
        await using var server = await LoopbackServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.GrpcUrl!);
        using var call = new Responses.ResponsesClient(channel).Connect();

        var events = await RunAsync(call, new WireMessage { Json = ByteString.CopyFrom(0x7b, 0xff, 0xfe, 0x7d) });
        Assert.Equal("invalid_json", Code(Assert.Single(events)));
    }

    [Fact]
    public async Task Connect_WithoutOrWithAWrongKey_Unauthenticated()
    {
        await using var server = await LoopbackServer.StartAsync(new Dictionary<string, string?> { ["Loopwire:ApiKeys:0"] = Alice + "=alice" });
        using var channel = GrpcChannel.ForAddress(server.GrpcUrl!);
        var client = new Responses.ResponsesClient(channel);

        foreach (var headers in new[] { new Metadata(), new Metadata { { "authorization", "Bearer sk-wrong" } } })
        {
            using var call = client.Connect(headers);
            var ex = await Assert.ThrowsAsync<RpcException>(() => RunAsync(call, Create(Request(Instant, false, Items(User("hi"))))));
            Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        }

        using var authorized = client.Connect(new Metadata { { "authorization", "Bearer " + Alice } });
        var ok = await RunAsync(authorized, Create(Request(Instant, false, Items(User("hi")))));
        Assert.Equal("response.completed", Type(ok[^1]));
    }

    [Fact]
    public async Task Connect_StoredResponseOfAnotherTenant_IsNotFound()
    {
        const string Bob = "sk-bob";
        await using var server = await LoopbackServer.StartAsync(new Dictionary<string, string?>
        {
            ["Loopwire:ApiKeys:0"] = Alice + "=alice",
            ["Loopwire:ApiKeys:1"] = Bob + "=bob",
        });
        using var channel = GrpcChannel.ForAddress(server.GrpcUrl!);
        var client = new Responses.ResponsesClient(channel);
        using var alice = client.Connect(new Metadata { { "authorization", "Bearer " + Alice } });
        var stored = await RunAsync(alice, Create(Request(Instant, true, Items(User("alice's secret")))));
        string id = Response(stored[^1]).GetProperty("id").GetString()!;

        using var bob = client.Connect(new Metadata { { "authorization", "Bearer " + Bob } });
        Assert.Equal("previous_response_not_found",
            Code(Assert.Single(await RunAsync(bob, Create(Request(Instant, false, Items(User("next")), previousResponseId: id))))));

        // Alice, on a new stream, continues it from the store.
        using var again = client.Connect(new Metadata { { "authorization", "Bearer " + Alice } });
        var next = await RunAsync(again, Create(Request(Instant, false, Items(User("next")), previousResponseId: id)));
        Assert.Equal("response.completed", Type(next[^1]));
    }

    [Fact]
    public async Task Connect_Disabled_Unimplemented()
    {
        await using var server = await LoopbackServer.StartAsync(new Dictionary<string, string?> { ["Loopwire:Grpc:Enabled"] = "false" });
        using var channel = GrpcChannel.ForAddress(server.GrpcUrl!);
        using var call = new Responses.ResponsesClient(channel).Connect();
        var ex = await Assert.ThrowsAsync<RpcException>(() => RunAsync(call, Create(Request(Instant, false, Items(User("hi"))))));
        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
        Assert.Contains("Loopwire:Grpc:Enabled", ex.Status.Detail, StringComparison.Ordinal);
    }
}
