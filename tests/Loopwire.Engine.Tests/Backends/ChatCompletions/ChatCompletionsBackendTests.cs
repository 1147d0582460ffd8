using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Backends.ChatCompletions;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Microsoft.Extensions.Time.Testing;
using static Loopwire.Engine.Tests.Backends.ScriptedUpstream;

namespace Loopwire.Engine.Tests.Backends.ChatCompletions;

public sealed class ChatCompletionsBackendTests
{
    private const string Done = "[DONE]";

    private static ChatCompletionsBackend Backend(ScriptedUpstream upstream, UpstreamBackendOptions? options = null, TimeProvider? time = null)
    {
        options ??= new UpstreamBackendOptions { BaseUrl = "http://upstream.test/v1", RetryDelayMilliseconds = 0 };
        return new("chat", options, Client(upstream, options, time), time);
    }

    private static string Chunk(string choice) =>
        $$"""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{{choice}}]}""";

    [Fact]
    public async Task StreamAsync_LlamaCppText_YieldsDeltasAndUsageFromTheFinishChunk()
    {
        // llama.cpp: a role-only first chunk with content null, then text, then finish_reason and usage on one chunk.
        var upstream = new ScriptedUpstream().Then(() => Sse(
            Chunk("""{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}"""),
            Chunk("""{"finish_reason":null,"index":0,"delta":{"content":"Hel"}}"""),
            Chunk("""{"finish_reason":null,"index":0,"delta":{"content":"lo"}}"""),
            """{"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"created":1,"id":"chatcmpl-1","model":"m","object":"chat.completion.chunk","usage":{"completion_tokens":2,"prompt_tokens":12,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":8}},"timings":{"cache_n":8,"prompt_n":4}}""",
            Done));

        var chunks = await CollectAsync(Backend(upstream), Request());

        Assert.Equal<ModelChunk>(
            [new PromptProcessed(0), new TextDelta("Hel"), new TextDelta("lo"), new ModelFinished(2, null, 0, 12, 8)], chunks);
        Assert.Equal("http://upstream.test/v1/chat/completions", upstream.Uris[0].ToString());
    }

    [Fact]
    public async Task StreamAsync_VllmToolCallInManyFragments_YieldsOneCallWithEveryFragment()
    {
        // vLLM: id and name first, arguments in fragments, finish_reason on a chunk with an empty content delta,
        // then usage on a chunk with empty choices.
        var upstream = new ScriptedUpstream().Then(() => Sse(
            Chunk("""{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"id":"chatcmpl-tool-1","type":"function","index":0,"function":{"name":"get_weather"}}]},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\": \"Pa"}}]},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ris\"}"}}]},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"tool_calls","stop_reason":null}"""),
            """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":30,"total_tokens":45,"completion_tokens":15}}""",
            Done));

        var chunks = await CollectAsync(Backend(upstream), Request());

        Assert.Equal<ModelChunk>(
        [
            new PromptProcessed(0), new ToolCallStart("chatcmpl-tool-1", "get_weather"), new ToolCallArgumentsDelta("{\"ci"),
            new ToolCallArgumentsDelta("ty\": \"Pa"), new ToolCallArgumentsDelta("ris\"}"), new ModelFinished(15, null, 0, 30, null),
        ], chunks);
    }

    [Fact]
    public async Task StreamAsync_ParallelCallsByIndex_YieldsEachCallWithItsOwnArguments()
    {
        var upstream = new ScriptedUpstream().Then(() => Sse(
            Chunk("""{"index":0,"delta":{"role":"assistant"},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_time","arguments":""}}]},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"zone\":\"CET\"}"}}]},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{},"finish_reason":"tool_calls"}"""),
            Done));

        var chunks = await CollectAsync(Backend(upstream), Request());

        Assert.Equal<ModelChunk>(
        [
            new PromptProcessed(0), new ToolCallStart("call_a", "get_weather"), new ToolCallArgumentsDelta("{\"city\":"),
            new ToolCallArgumentsDelta("\"Paris\"}"), new ToolCallStart("call_b", "get_time"), new ToolCallArgumentsDelta("{\"zone\":\"CET\"}"),
            new ModelFinished(5, null, 0, null, null),
        ], chunks);
    }

    [Fact]
    public async Task StreamAsync_OllamaWholeCallsWithoutIndex_YieldsEachCall()
    {
        // Ollama (older versions): every call whole in one chunk, no index; usage in a last chunk with empty choices.
        var upstream = new ScriptedUpstream().Then(() => Sse(
            """{"id":"chatcmpl-5","object":"chat.completion.chunk","created":1,"model":"llama3.1","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"","tool_calls":[{"id":"call_a1","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},{"id":"call_b2","function":{"name":"get_time","arguments":"{\"zone\":\"CET\"}"}}]},"finish_reason":null}]}""",
            """{"id":"chatcmpl-5","object":"chat.completion.chunk","created":1,"model":"llama3.1","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"tool_calls"}]}""",
            """{"id":"chatcmpl-5","object":"chat.completion.chunk","created":1,"model":"llama3.1","system_fingerprint":"fp_ollama","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":10,"total_tokens":30}}""",
            Done));

        var chunks = await CollectAsync(Backend(upstream), Request());

        Assert.Equal<ModelChunk>(
        [
            new PromptProcessed(0), new ToolCallStart("call_a1", "get_weather"), new ToolCallArgumentsDelta("{\"city\":\"Paris\"}"),
            new ToolCallStart("call_b2", "get_time"), new ToolCallArgumentsDelta("{\"zone\":\"CET\"}"), new ModelFinished(10, null, 0, 20, null),
        ], chunks);
    }

    [Fact]
    public async Task StreamAsync_ReasoningThenText_YieldsReasoningThenText()
    {
        var upstream = new ScriptedUpstream().Then(() => Sse(
            Chunk("""{"index":0,"delta":{"role":"assistant","reasoning_content":"Think"},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"reasoning":"ing."},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"content":"Done."},"finish_reason":"stop"}"""),
            """{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8,"completion_tokens_details":{"reasoning_tokens":2}}}""",
            Done));

        var chunks = await CollectAsync(Backend(upstream), Request());

        Assert.Equal<ModelChunk>(
            [new PromptProcessed(0), new ReasoningDelta("Think"), new ReasoningDelta("ing."), new TextDelta("Done."), new ModelFinished(3, null, 2, 5, null)],
            chunks);
    }

    [Fact]
    public async Task StreamAsync_FinishReasonLength_YieldsIncompleteMaxOutputTokens()
    {
        var upstream = new ScriptedUpstream().Then(() => Sse(
            Chunk("""{"index":0,"delta":{"role":"assistant","content":"Once upon"},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{},"finish_reason":"length"}"""),
            Done));

        var chunks = await CollectAsync(Backend(upstream), Request());

        Assert.Equal("max_output_tokens", Assert.IsType<ModelFinished>(chunks[^1]).IncompleteReason);
    }

    [Fact]
    public async Task StreamAsync_ErrorMidStream_FailsWith502AndTheUpstreamMessage()
    {
        var upstream = new ScriptedUpstream().Then(() => Sse(
            Chunk("""{"index":0,"delta":{"role":"assistant","content":"Par"},"finish_reason":null}"""),
            """{"error":{"code":500,"message":"slot 0 crashed","type":"server_error"}}"""));

        var chunks = await CollectAsync(Backend(upstream), Request());

        Assert.IsType<TextDelta>(chunks[1]);
        var failed = Assert.IsType<ModelFailed>(chunks[^1]);
        Assert.Equal(502, failed.Status);
        Assert.Contains("slot 0 crashed", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_StreamEndsWithoutFinish_FailsWith502()
    {
        var upstream = new ScriptedUpstream().Then(() => Sse(Chunk("""{"index":0,"delta":{"role":"assistant","content":"Par"},"finish_reason":null}""")));

        var chunks = await CollectAsync(Backend(upstream), Request());

        Assert.Equal("upstream_error", Assert.IsType<ModelFailed>(chunks[^1]).Code);
    }

    [Fact]
    public async Task StreamAsync_ArgumentsForAClosedCall_FailsAsProtocolError()
    {
        var upstream = new ScriptedUpstream().Then(() => Sse(
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{"}}]},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":1,"id":"b","function":{"name":"g","arguments":"{}"}}]},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"}"}}]},"finish_reason":null}"""),
            Done));

        var chunks = await CollectAsync(Backend(upstream), Request());

        Assert.Equal("upstream_protocol_error", Assert.IsType<ModelFailed>(chunks[^1]).Code);
    }

    [Fact]
    public async Task StreamAsync_BadRequestWithOpenAIErrorBody_KeepsStatusCodeAndMessage()
    {
        var upstream = new ScriptedUpstream().Then(() => Json(400,
            """{"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"""));

        var chunks = await CollectAsync(Backend(upstream), Request());

        var failed = Assert.IsType<ModelFailed>(Assert.Single(chunks));
        Assert.Equal((400, "context_length_exceeded", "invalid_request_error"), (failed.Status, failed.Code, failed.Type));
        Assert.Contains("maximum context length is 8192 tokens", failed.Message, StringComparison.Ordinal);
        Assert.Single(upstream.Bodies);
    }

    [Fact]
    public async Task StreamAsync_VllmFlatErrorBody_KeepsStatusAndMessage()
    {
        var upstream = new ScriptedUpstream().Then(() => Json(404,
            """{"object":"error","message":"The model `nope` does not exist.","type":"NotFoundError","param":null,"code":404}"""));

        var failed = Assert.IsType<ModelFailed>(Assert.Single(await CollectAsync(Backend(upstream), Request())));

        Assert.Equal(404, failed.Status);
        Assert.Contains("The model `nope` does not exist.", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_ServerError500_FailsWith502WithoutRetrying()
    {
        var upstream = new ScriptedUpstream().Then(() => Json(500, """{"error":{"message":"CUDA out of memory","type":"server_error"}}"""));

        var failed = Assert.IsType<ModelFailed>(Assert.Single(await CollectAsync(Backend(upstream), Request())));

        Assert.Equal((502, "upstream_error"), (failed.Status, failed.Code));
        Assert.Contains("CUDA out of memory", failed.Message, StringComparison.Ordinal);
        Assert.Single(upstream.Bodies);
    }

    [Fact]
    public async Task StreamAsync_503ThenOk_RetriesBeforeTheFirstByte()
    {
        var upstream = new ScriptedUpstream()
            .Then(() => Json(503, """{"error":{"message":"loading model","type":"unavailable_error"}}"""))
            .Then(() => Sse(Chunk("""{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}"""), Done));

        var chunks = await CollectAsync(Backend(upstream), Request());

        Assert.IsType<ModelFinished>(chunks[^1]);
        Assert.Equal(2, upstream.Bodies.Count);
    }

    [Fact]
    public async Task StreamAsync_Unauthorized_FailsWith502NamingTheApiKey()
    {
        var upstream = new ScriptedUpstream().Then(() => Json(401, """{"error":{"message":"Invalid API key","type":"authentication_error"}}"""));

        var failed = Assert.IsType<ModelFailed>(Assert.Single(await CollectAsync(Backend(upstream), Request())));

        Assert.Equal((502, "upstream_auth_failed"), (failed.Status, failed.Code));
        Assert.Contains("Loopwire:Backends:chat:ApiKey", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_ConnectionRefused_FailsWith502AfterBoundedRetries()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = new UpstreamBackendOptions { BaseUrl = $"http://127.0.0.1:{port}/v1", MaxRetries = 1, RetryDelayMilliseconds = 0 };
        using var client = Client(new SocketsHttpHandler(), options);
        using var backend = new ChatCompletionsBackend("chat", options, client);

        var failed = Assert.IsType<ModelFailed>(Assert.Single(await CollectAsync(backend, Request())));

        Assert.Equal((502, "upstream_unavailable"), (failed.Status, failed.Code));
    }

    [Fact]
    public async Task StreamAsync_UpstreamGoesSilent_FailsWithTimeout504()
    {
        var time = new FakeTimeProvider();
        var body = ScriptStream.Of(Frames(Chunk("""{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}""")), new TaskCompletionSource().Task);
        var upstream = new ScriptedUpstream().Then(() => Sse(body));
        var options = new UpstreamBackendOptions { BaseUrl = "http://upstream.test/v1", TimeoutSeconds = 30 };

        var run = CollectAsync(Backend(upstream, options, time), Request());
        await body.Waiting.Task.WaitAsync(TimeSpan.FromSeconds(20));
        time.Advance(TimeSpan.FromSeconds(31));
        var chunks = await run.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal<ModelChunk>([new PromptProcessed(0), new TextDelta("Hi")], chunks[..2]);
        var failed = Assert.IsType<ModelFailed>(chunks[^1]);
        Assert.Equal((504, "upstream_timeout"), (failed.Status, failed.Code));
        await body.Aborted.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task StreamAsync_Cancelled_AbortsTheUpstreamRead()
    {
        var body = ScriptStream.Of(Frames(Chunk("""{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}""")), new TaskCompletionSource().Task);
        var upstream = new ScriptedUpstream().Then(() => Sse(body));
        using var cts = new CancellationTokenSource();

        var run = CollectAsync(Backend(upstream), Request(), cts.Token);
        await body.Waiting.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(20)));
        await body.Aborted.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task StreamAsync_MaxConcurrencyOne_SendsTheSecondRequestOnlyAfterTheFirstEnds()
    {
        var gate = new TaskCompletionSource();
        var first = ScriptStream.Of(Frames(Chunk("""{"index":0,"delta":{"content":"a"},"finish_reason":null}""")), gate.Task,
            Frames(Chunk("""{"index":0,"delta":{},"finish_reason":"stop"}"""), Done));
        int sentWhileFirstOpen = -1;
        var upstream = new ScriptedUpstream()
            .Then(() => Sse(first))
            .Then(() => Sse(Chunk("""{"index":0,"delta":{"content":"b"},"finish_reason":"stop"}"""), Done));
        first.Disposed += () => sentWhileFirstOpen = upstream.Bodies.Count;
        var backend = Backend(upstream, new UpstreamBackendOptions { BaseUrl = "http://upstream.test/v1", MaxConcurrency = 1 });

        var a = CollectAsync(backend, Request());
        await first.Waiting.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var b = CollectAsync(backend, Request());
        gate.SetResult();
        await Task.WhenAll(a, b).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(1, sentWhileFirstOpen);
        Assert.Equal(2, upstream.Bodies.Count);
    }

    [Fact]
    public async Task StreamAsync_ConversationAndOptions_SendsChatMessagesAndParameters()
    {
        var upstream = new ScriptedUpstream().Then(() => Sse(Chunk("""{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}"""), Done));
        ResponseItem[] items =
        [
            new MessageItem { Role = "developer", Content = MessageContent.FromText("Be brief.") },
            EngineTestKit.User("Weather and time in Paris?"),
            new MessageItem { Role = "assistant", Content = MessageContent.FromParts([ContentPart.OutputText("Checking.")]) },
            new FunctionCallItem { CallId = "c1", Name = "get_weather", Arguments = """{"city":"Paris"}""" },
            new FunctionCallItem { CallId = "c2", Name = "get_time", Arguments = """{"zone":"CET"}""" },
            new ReasoningItem { Summary = [new ContentPart { Type = "summary_text", Text = "secret" }], EncryptedContent = "opaque" },
            new FunctionCallOutputItem { CallId = "c1", Output = MessageContent.FromText("sunny") },
            new FunctionCallOutputItem { CallId = "c2", Output = MessageContent.FromText("14:00") },
        ];
        var request = new CreateResponseRequest
        {
            Model = "llama-test",
            Input = items,
            Instructions = JsonDocument.Parse("\"You are helpful.\"").RootElement,
            Tools = EngineTestKit.WeatherTool,
            ToolChoice = JsonDocument.Parse("""{"type":"function","name":"get_weather"}""").RootElement,
            ParallelToolCalls = false,
            MaxOutputTokens = 100,
            Temperature = 0.2,
            TopP = 0.9,
            Text = JsonDocument.Parse("""{"format":{"type":"json_schema","name":"answer","schema":{"type":"object"},"strict":true}}""").RootElement,
        };

        await CollectAsync(Backend(upstream), Request(request, items));

        var body = upstream.Bodies[0];
        Assert.Equal(
            """[{"role":"system","content":"You are helpful."},{"role":"system","content":"Be brief."},{"role":"user","content":"Weather and time in Paris?"},""" +
            """{"role":"assistant","content":"Checking.","tool_calls":[{"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{\u0022city\u0022:\u0022Paris\u0022}"}},""" +
            """{"id":"c2","type":"function","function":{"name":"get_time","arguments":"{\u0022zone\u0022:\u0022CET\u0022}"}}]},""" +
            """{"role":"tool","content":"sunny","tool_call_id":"c1"},{"role":"tool","content":"14:00","tool_call_id":"c2"}]""",
            body.GetProperty("messages").GetRawText());
        Assert.True(body.GetProperty("stream").GetBoolean());
        Assert.True(body.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal("get_weather", body.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("""{"type":"function","function":{"name":"get_weather"}}""", body.GetProperty("tool_choice").GetRawText());
        Assert.False(body.GetProperty("parallel_tool_calls").GetBoolean());
        Assert.Equal(100, body.GetProperty("max_tokens").GetInt32());
        Assert.Equal(0.2, body.GetProperty("temperature").GetDouble());
        Assert.Equal(0.9, body.GetProperty("top_p").GetDouble());
        Assert.Equal("""{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object"},"strict":true}}""",
            body.GetProperty("response_format").GetRawText());
    }

    [Fact]
    public async Task StreamAsync_MaxCompletionTokensParameter_SendsMaxCompletionTokens()
    {
        var upstream = new ScriptedUpstream().Then(() => Sse(Chunk("""{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}"""), Done));
        var options = new UpstreamBackendOptions { BaseUrl = "http://upstream.test/v1", MaxTokensParameter = "max_completion_tokens", ApiKey = "k" };

        await CollectAsync(Backend(upstream, options), Request(new CreateResponseRequest { Model = "m", MaxOutputTokens = 7 }));

        Assert.Equal(7, upstream.Bodies[0].GetProperty("max_completion_tokens").GetInt32());
        Assert.False(upstream.Bodies[0].TryGetProperty("max_tokens", out _));
        Assert.False(upstream.Bodies[0].TryGetProperty("tools", out _));
    }
}
