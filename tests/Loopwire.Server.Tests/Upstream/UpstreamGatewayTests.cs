using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.Server.Tests.WebSockets;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Upstream;

/// <summary>Loopwire in front of Loopwire: the chat, responses and responses-ws backends against a real second server.</summary>
public sealed class UpstreamGatewayTests(ITestOutputHelper output)
{
    internal static JsonArray WeatherTools() =>
    [
        new JsonObject
        {
            ["type"] = "function",
            ["name"] = "get_weather",
            ["parameters"] = JsonNode.Parse("""{"type":"object","properties":{"city":{"type":"string"}}}"""),
        },
    ];

    private static async Task<LoopbackApp> DownstreamAsync(ITestOutputHelper output, string type, LoopbackApp upstream, params (string, string)[] extra) =>
        await LoopbackApp.StartLoopwireAsync(output,
        [
            ("Loopwire:Backends:up:Type", type),
            ("Loopwire:Backends:up:BaseUrl", upstream.V1),
            ("Loopwire:ModelRoutes:0", "llama*=up"),
            .. extra,
        ]);

    /// <summary>user names a tool -> function_call -> function_call_output (chained by previous_response_id) -> text.</summary>
    private static async Task<(JsonElement First, JsonElement Second)> ToolRoundTripAsync(LoopbackApp downstream, bool stream, string model = "llama-test")
    {
        var (status1, first, _) = await downstream.PostResponseAsync(
            new JsonObject { ["model"] = model, ["input"] = "Please call get_weather for Paris.", ["tools"] = WeatherTools() }, stream);
        Assert.Equal(200, status1);
        Assert.Equal("completed", first.GetProperty("status").GetString());
        var call = first.GetProperty("output")[0];
        Assert.Equal("function_call", call.GetProperty("type").GetString());
        Assert.Equal("get_weather", call.GetProperty("name").GetString());
        Assert.StartsWith("{", call.GetProperty("arguments").GetString(), StringComparison.Ordinal);

        var (status2, second, _) = await downstream.PostResponseAsync(new JsonObject
        {
            ["model"] = model,
            ["previous_response_id"] = first.GetProperty("id").GetString(),
            ["input"] = new JsonArray(new JsonObject
            {
                ["type"] = "function_call_output",
                ["call_id"] = call.GetProperty("call_id").GetString(),
                ["output"] = "sunny, 21 C",
            }),
            ["tools"] = WeatherTools(),
        }, stream);
        Assert.Equal(200, status2);
        Assert.Equal("completed", second.GetProperty("status").GetString());
        var message = second.GetProperty("output")[0];
        Assert.Equal("message", message.GetProperty("type").GetString());
        Assert.StartsWith("The tool returned: sunny, 21 C", message.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.True(second.GetProperty("usage").GetProperty("input_tokens").GetInt32() > 0);
        return (first, second);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ChatBackend_FunctionToolRoundTrip_CompletesThroughLoopwireChatCompletions(bool stream)
    {
        await using var upstream = await LoopbackApp.StartLoopwireAsync(output);
        await using var downstream = await DownstreamAsync(output, "chat", upstream);

        await ToolRoundTripAsync(downstream, stream);

        var turns = await upstream.TurnsAsync();
        Assert.Equal(["chat-sse", "chat-sse"], turns.Select(t => t.GetProperty("transport").GetString()));
        Assert.Equal([1, 3], turns.Select(t => t.GetProperty("items_received").GetInt32()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ResponsesBackend_OverHttp_SendsTheFullContextEachTurn(bool stream)
    {
        await using var upstream = await LoopbackApp.StartLoopwireAsync(output);
        await using var downstream = await DownstreamAsync(output, "responses", upstream);

        await ToolRoundTripAsync(downstream, stream);

        var turns = await upstream.TurnsAsync();
        Assert.Equal(["sse", "sse"], turns.Select(t => t.GetProperty("transport").GetString()));
        Assert.Equal([1, 3], turns.Select(t => t.GetProperty("items_received").GetInt32()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ResponsesWebSocketBackend_HttpClientChains_UpstreamSeesOnlyDeltas(bool stream)
    {
        await using var upstream = await LoopbackApp.StartLoopwireAsync(output);
        await using var downstream = await DownstreamAsync(output, "responses-ws", upstream);

        await ToolRoundTripAsync(downstream, stream);

        // The second upstream turn carried only the function_call_output and was resolved from the upstream's
        // connection cache, i.e. it came with previous_response_id on the same upstream socket.
        var turns = await upstream.TurnsAsync();
        Assert.Equal(["ws", "ws"], turns.Select(t => t.GetProperty("transport").GetString()));
        Assert.Equal([1, 1], turns.Select(t => t.GetProperty("items_received").GetInt32()));
        Assert.Equal([false, true], turns.Select(t => t.GetProperty("from_cache").GetBoolean()));
    }

    [Fact]
    public async Task ResponsesWebSocketBackend_DownstreamWebSocketClient_UpstreamSeesOnlyDeltas()
    {
        await using var upstream = await LoopbackApp.StartLoopwireAsync(output);
        await using var downstream = await DownstreamAsync(output, "responses-ws", upstream);
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri($"ws://{downstream.BaseAddress.Authority}/v1/responses"), WsTestHost.GuardToken());

        var first = await CreateOverWebSocketAsync(ws, new JsonObject
        {
            ["model"] = "llama-test",
            ["store"] = false,
            ["input"] = "Please call get_weather for Paris.",
            ["tools"] = WeatherTools(),
        });
        var call = first.GetProperty("output")[0];
        var second = await CreateOverWebSocketAsync(ws, new JsonObject
        {
            ["model"] = "llama-test",
            ["store"] = false,
            ["previous_response_id"] = first.GetProperty("id").GetString(),
            ["input"] = new JsonArray(new JsonObject
            {
                ["type"] = "function_call_output",
                ["call_id"] = call.GetProperty("call_id").GetString(),
                ["output"] = "rain",
            }),
            ["tools"] = WeatherTools(),
        });
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, WsTestHost.GuardToken());

        Assert.Equal("function_call", call.GetProperty("type").GetString());
        Assert.StartsWith("The tool returned: rain", second.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString(),
            StringComparison.Ordinal);
        var turns = await upstream.TurnsAsync();
        Assert.Equal([1, 1], turns.Select(t => t.GetProperty("items_received").GetInt32()));
        Assert.Equal([false, true], turns.Select(t => t.GetProperty("from_cache").GetBoolean()));
    }

    /// <summary>Sends response.create and reads events until the terminal one; returns its response.</summary>
    private static async Task<JsonElement> CreateOverWebSocketAsync(ClientWebSocket ws, JsonObject body)
    {
        body["type"] = "response.create";
        await ws.SendAsync(Encoding.UTF8.GetBytes(body.ToJsonString()), WebSocketMessageType.Text, true, WsTestHost.GuardToken());
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        for (int i = 0; i < 10_000; i++)
        {
            buffer.ResetWrittenCount();
            ValueWebSocketReceiveResult r;
            do
            {
                r = await ws.ReceiveAsync(buffer.GetMemory(16 * 1024), WsTestHost.GuardToken());
                buffer.Advance(r.Count);
            }
            while (!r.EndOfMessage);

            var e = JsonDocument.Parse(buffer.WrittenMemory).RootElement.Clone();
            string type = e.GetProperty("type").GetString()!;
            Assert.NotEqual("error", type);
            if (type is "response.completed" or "response.failed" or "response.incomplete")
            {
                Assert.Equal("response.completed", type);
                return e.GetProperty("response");
            }
        }

        throw new InvalidOperationException("No terminal event.");
    }

    [Fact]
    public async Task ResponsesWebSocketBackend_PoolFull_EvictedConversationReplaysFullContext()
    {
        await using var upstream = await LoopbackApp.StartLoopwireAsync(output);
        await using var downstream = await DownstreamAsync(output, "responses-ws", upstream, ("Loopwire:Backends:up:MaxConnections", "1"));

        var (_, a1, _) = await downstream.PostResponseAsync(new JsonObject { ["model"] = "llama-a", ["input"] = "Tell me about sockets." }, stream: false);
        var (_, b1, _) = await downstream.PostResponseAsync(new JsonObject { ["model"] = "llama-b", ["input"] = "Tell me about caches." }, stream: false);
        var (status, a2, _) = await downstream.PostResponseAsync(new JsonObject
        {
            ["model"] = "llama-a",
            ["previous_response_id"] = a1.GetProperty("id").GetString(),
            ["input"] = "And more?",
        }, stream: false);

        Assert.Equal(200, status);
        Assert.Equal("completed", a2.GetProperty("status").GetString());
        Assert.Equal("completed", b1.GetProperty("status").GetString());
        var turns = await upstream.TurnsAsync();
        Assert.Equal([1, 1, 3], turns.Select(t => t.GetProperty("items_received").GetInt32()));
        Assert.All(turns, t => Assert.False(t.GetProperty("from_cache").GetBoolean()));
    }

    [Fact]
    public async Task ModelsEndpoint_ChatBackendThatListsModels_ListsOnlyRoutedNamesAndSimulatedProfiles()
    {
        await using var upstream = await LoopbackApp.StartFakeAsync(app => app.MapGet("/v1/models", () =>
            Results.Text("""{"object":"list","data":[{"id":"llama-3.1-8b","object":"model"},{"id":"mistral-7b","object":"model"}]}""", "application/json")));
        await using var downstream = await DownstreamAsync(output, "chat", upstream);

        var body = JsonDocument.Parse(await downstream.Client.GetStringAsync("/v1/models", WebSockets.WsTestHost.GuardToken())).RootElement;
        var ids = body.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();

        Assert.Contains("llama-3.1-8b", ids);
        Assert.DoesNotContain("mistral-7b", ids);
        Assert.Contains("sim-spark", ids);
    }

    [Theory]
    [InlineData("Type", "grpc", "Type must be one of")]
    [InlineData("BaseUrl", "127.0.0.1:11434", "BaseUrl must be an absolute http(s) URL")]
    [InlineData("MaxConcurrency", "0", "MaxConcurrency")]
    public async Task Startup_InvalidBackend_FailsValidationNamingTheKey(string key, string value, string expected)
    {
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => LoopbackApp.StartLoopwireAsync(output,
            ("Loopwire:Backends:up:Type", "chat"), ("Loopwire:Backends:up:BaseUrl", "http://127.0.0.1:1/v1"), ($"Loopwire:Backends:up:{key}", value)));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_RouteToUnknownBackend_FailsValidation()
    {
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            LoopbackApp.StartLoopwireAsync(output, ("Loopwire:ModelRoutes:0", "llama*=nope")));

        Assert.Contains("names backend 'nope'", ex.Message, StringComparison.Ordinal);
    }
}
