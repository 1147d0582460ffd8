using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.Server.Tests.WebSockets;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Telemetry;

/// <summary>One span per response (GenAI attributes, stage children) over HTTP, SSE and WebSocket, exported in memory.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class ResponseSpanTests(ITestOutputHelper output)
{
    // Unique text: no span may carry it.
    private const string Prompt = "the secret prompt zebra-7f3c";

    private static readonly string[] Stages = ["parse", "resolve", "validate", "render", "backend", "stream", "store"];

    private static JsonObject Body(bool store, string? previous = null) =>
        WsJson.Request(WsJson.Instant, store, [WsJson.User(Prompt)], previousResponseId: previous);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Http_NewConversation_SpanHasGenAiAttributesAndStageChildren(bool stream)
    {
        await using var host = new TracedHost(output);

        var (status, body) = await host.PostAsync(Body(store: true), stream);

        Assert.Equal(200, status);
        string id = body.GetProperty("id").GetString()!;
        var span = await host.ResponseSpanAsync(id);
        Assert.Equal($"chat {WsJson.Instant}", span.DisplayName);
        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("loopwire", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal(WsJson.Instant, span.GetTagItem("gen_ai.request.model"));
        Assert.Equal(stream ? "sse" : "http", span.GetTagItem("loopwire.transport"));
        Assert.Equal("full", span.GetTagItem("loopwire.continuation"));
        var usage = body.GetProperty("usage");
        Assert.Equal(usage.GetProperty("input_tokens").GetInt32(), span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(usage.GetProperty("output_tokens").GetInt32(), span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.NotNull(span.GetTagItem("gen_ai.usage.cache_read.input_tokens"));
        Assert.True((int)span.GetTagItem("loopwire.tokens_rendered")! > 0);
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        var children = host.Children(span);
        Assert.All(Stages, s => Assert.Contains(s, children.Keys));
        Assert.NotNull(children["backend"].GetTagItem("loopwire.backend.time_to_first_token"));
        Assert.Contains(children["backend"].Events, e => e.Name == "first_token");
        // The HTTP request's span (ASP.NET Core) is the parent.
        var parent = host.Spans.Snapshot().Single(a => a.SpanId == span.ParentSpanId);
        Assert.Equal(ActivityKind.Server, parent.Kind);
        AssertNoPromptText(host, span.TraceId);
    }

    [Fact]
    public async Task Sse_ChainedOnStoredResponse_ContinuationIsStore()
    {
        await using var host = new TracedHost(output);
        var (_, first) = await host.PostAsync(Body(store: true));

        var (status, second) = await host.PostAsync(Body(store: true, first.GetProperty("id").GetString()), stream: true);

        Assert.Equal(200, status);
        var span = await host.ResponseSpanAsync(second.GetProperty("id").GetString()!);
        Assert.Equal("sse", span.GetTagItem("loopwire.transport"));
        Assert.Equal("store", span.GetTagItem("loopwire.continuation"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Http_UnknownPreviousResponse_SpanIsNotFoundError(bool stream)
    {
        await using var host = new TracedHost(output);
        string traceId = ActivityTraceId.CreateRandom().ToHexString();

        var (status, _) = await host.PostAsync(Body(store: true, "resp_doesnotexist"), stream, null,
            ("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01"));

        Assert.Equal(400, status);
        var span = await host.SpanAsync(a => a.Source.Name == "Loopwire.Engine" && a.TraceId.ToHexString() == traceId
            && a.GetTagItem("loopwire.continuation") is not null, "not found");
        Assert.Equal("not_found", span.GetTagItem("loopwire.continuation"));
        Assert.Equal("previous_response_not_found", span.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
    }

    [Fact]
    public async Task Http_ClientTraceparent_ResponseSpanJoinsTheClientsTrace()
    {
        await using var host = new TracedHost(output);
        string traceId = ActivityTraceId.CreateRandom().ToHexString();

        var (_, body) = await host.PostAsync(Body(store: false), false, null,
            ("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01"));

        var span = await host.ResponseSpanAsync(body.GetProperty("id").GetString()!);
        Assert.Equal(traceId, span.TraceId.ToHexString());
    }

    [Fact]
    public async Task WebSocket_SecondTurn_ContinuationIsCacheHit()
    {
        await using var host = new TracedHost(output);
        await using var ws = await host.ConnectAsync();

        var first = (await ws.RunAsync(Body(store: false)))[^1].GetProperty("response");
        var second = (await ws.RunAsync(Body(store: false, first.GetProperty("id").GetString())))[^1].GetProperty("response");

        var firstSpan = await host.ResponseSpanAsync(first.GetProperty("id").GetString()!);
        var span = await host.ResponseSpanAsync(second.GetProperty("id").GetString()!);
        Assert.Equal("ws", span.GetTagItem("loopwire.transport"));
        Assert.Equal("full", firstSpan.GetTagItem("loopwire.continuation"));
        Assert.Equal("cache", span.GetTagItem("loopwire.continuation"));
        var children = host.Children(span);
        Assert.All(Stages.Where(s => s != "store"), s => Assert.Contains(s, children.Keys));
        Assert.DoesNotContain("store", children.Keys);
        AssertNoPromptText(host, span.TraceId);
    }

    [Fact]
    public async Task WebSocket_StoredResponseFromHttp_ContinuationIsStoreHydration()
    {
        await using var host = new TracedHost(output);
        var (_, stored) = await host.PostAsync(Body(store: true));
        await using var ws = await host.ConnectAsync();

        var next = (await ws.RunAsync(Body(store: false, stored.GetProperty("id").GetString())))[^1].GetProperty("response");

        var span = await host.ResponseSpanAsync(next.GetProperty("id").GetString()!);
        Assert.Equal("ws", span.GetTagItem("loopwire.transport"));
        Assert.Equal("store", span.GetTagItem("loopwire.continuation"));
    }

    [Fact]
    public async Task WebSocket_UnknownPreviousResponse_SpanIsNotFound()
    {
        await using var host = new TracedHost(output);
        await using var ws = await host.ConnectAsync();

        var events = await ws.RunAsync(Body(store: false, "resp_wsdoesnotexist"));

        Assert.Equal("error", WsTestClient.Type(events[^1]));
        var span = await host.SpanAsync(a => a.Source.Name == "Loopwire.Engine" && Equals(a.GetTagItem("loopwire.transport"), "ws")
            && Equals(a.GetTagItem("loopwire.continuation"), "not_found"), "ws not found");
        Assert.Equal("previous_response_not_found", span.GetTagItem("error.type"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Http_TenantName_OnlyWhenTheOperatorTurnsItOn(bool record)
    {
        await using var host = new TracedHost(output, ("Loopwire:ApiKeys:0", "sk-alice=alice"),
            ("Loopwire:Telemetry:RecordTenant", record ? "true" : "false"));

        var (_, body) = await host.PostAsync(Body(store: true), apiKey: "sk-alice");

        var span = await host.ResponseSpanAsync(body.GetProperty("id").GetString()!);
        Assert.Equal(record ? "alice" : null, span.GetTagItem("loopwire.tenant"));
        if (!record)
        {
            var all = host.Spans.Snapshot().Where(a => a.TraceId == span.TraceId).SelectMany(a => a.TagObjects);
            Assert.DoesNotContain(all, t => t.Value is string s && s.Contains("alice", StringComparison.Ordinal));
        }
    }

    private static void AssertNoPromptText(TracedHost host, ActivityTraceId traceId)
    {
        foreach (var span in host.Spans.Snapshot().Where(a => a.TraceId == traceId))
        {
            Assert.DoesNotContain(span.TagObjects, t => JsonSerializer.Serialize(t.Value?.ToString()).Contains("zebra", StringComparison.Ordinal));
            Assert.DoesNotContain(span.Events.SelectMany(e => e.Tags), t => t.Value?.ToString()?.Contains("zebra", StringComparison.Ordinal) == true);
        }
    }
}
