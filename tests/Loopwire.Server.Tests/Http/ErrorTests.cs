using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.Http.ResponsesHttp;

namespace Loopwire.Server.Tests.Http;

public sealed class ErrorTests : IClassFixture<LoopwireFactory>
{
    private const int SmallLimit = 2048;

    private readonly LoopwireFactory _factory;
    private readonly HttpClient _client;

    public ErrorTests(LoopwireFactory factory, ITestOutputHelper output)
    {
        factory.Output = output;
        _factory = factory;
        _client = factory.CreateClient();
    }

    [Theory]
    [InlineData("""{"model":"sim-instant","input":"hi",""")]
    [InlineData("""{"model":"sim-instant",,"input":"hi"}""")]
    [InlineData("""{"model":"sim-instant","input":"hi"} trailing""")]
    [InlineData("{\"model\":\"sim-instant\",\n\"input\":'hi'}")]
    [InlineData("not json")]
    public async Task Post_MalformedJson_Returns400InvalidJsonWithLine(string body)
    {
        using var http = await PostRawAsync(_client, body);

        var error = await AssertErrorAsync(http, HttpStatusCode.BadRequest, "invalid_json");
        Assert.Contains("line", error.Str("message"), StringComparison.OrdinalIgnoreCase);
        await AssertStillServesAsync(_client);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    public async Task Post_EmptyOrNullBody_Returns400InvalidJson(string body)
    {
        using var http = await PostRawAsync(_client, body);

        await AssertErrorAsync(http, HttpStatusCode.BadRequest, "invalid_json");
        await AssertStillServesAsync(_client);
    }

    [Theory]
    [InlineData("temperature", "\"hot\"")]
    [InlineData("store", "\"yes\"")]
    [InlineData("max_output_tokens", "\"many\"")]
    [InlineData("stream", "1")]
    [InlineData("previous_response_id", "42")]
    [InlineData("metadata", "[1]")]
    [InlineData("tools", "\"get_weather\"")]
    public async Task Post_WrongType_Returns400NamingField(string field, string value)
    {
        using var http = await PostRawAsync(_client, $$"""{"model":"sim-instant","input":"hi","{{field}}":{{value}}}""");

        var error = await AssertErrorAsync(http, HttpStatusCode.BadRequest, param: field);
        Assert.Contains(field, error.Str("message"), StringComparison.Ordinal);
        await AssertStillServesAsync(_client);
    }

    [Theory]
    [InlineData("""[{"role":"user","content":5}]""", "input[0].content")]
    [InlineData("""[{"role":"user","content":"hi"},{"type":"function_call_output","output":"x"}]""", "input[1].call_id")]
    [InlineData("""[{"role":"user","content":[{"type":"input_text"}]}]""", "input[0].content[0].text")]
    [InlineData("""[{"role":"user","content":[{"type":"bogus_part","text":"x"}]}]""", "input[0].content[0].type")]
    public async Task Post_InvalidNestedItem_Returns400WithPathParam(string input, string param)
    {
        using var http = await PostRawAsync(_client, $$"""{"model":"sim-instant","input":{{input}}}""");

        await AssertErrorAsync(http, HttpStatusCode.BadRequest, param: param);
        await AssertStillServesAsync(_client);
    }

    [Fact]
    public async Task Post_ToolParametersNotObject_Returns400WithToolParam()
    {
        using var http = await PostRawAsync(_client,
            """{"model":"sim-instant","input":"hi","tools":[{"type":"function","name":"f","parameters":"x"}]}""");

        await AssertErrorAsync(http, HttpStatusCode.BadRequest, param: "tools[0].parameters");
        await AssertStillServesAsync(_client);
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task Post_UnknownItemType_Returns400WithItemParam(bool streaming)
    {
        var body = Request(new JsonArray(UserMessage("hi"), new JsonObject { ["type"] = "bogus_item", ["x"] = 1 }));
        body["stream"] = streaming;

        using var http = await PostRawAsync(_client, body.ToJsonString());

        var error = await AssertErrorAsync(http, HttpStatusCode.BadRequest, param: "input[1].type");
        Assert.Contains("bogus_item", error.Str("message"), StringComparison.Ordinal);
        await AssertStillServesAsync(_client);
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task Post_ToolOutputForUnknownCall_Returns400WithCallIdParam(bool streaming)
    {
        var body = Request(new JsonArray(ToolOutput("call_does_not_exist", "42")));
        body["stream"] = streaming;

        using var http = await PostRawAsync(_client, body.ToJsonString());

        var error = await AssertErrorAsync(http, HttpStatusCode.BadRequest, param: "input[0].call_id");
        Assert.Contains("call_does_not_exist", error.Str("message"), StringComparison.Ordinal);
        await AssertStillServesAsync(_client);
    }

    [Theory]
    [InlineData("""{"input":"hi"}""", "model")]
    [InlineData("""{"model":"","input":"hi"}""", "model")]
    [InlineData("""{"model":"sim-instant"}""", "input")]
    public async Task Post_MissingRequired_Returns400MissingRequiredParameter(string body, string param)
    {
        using var http = await PostRawAsync(_client, body);

        await AssertErrorAsync(http, HttpStatusCode.BadRequest, "missing_required_parameter", param);
        await AssertStillServesAsync(_client);
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task Post_BodyOverLimit_Returns413NamingLimit(bool chunked)
    {
        var small = _factory.WithSettings(("Loopwire:MaxRequestBodyBytes", SmallLimit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var client = small.CreateClient();
        string big = Request(new string('x', SmallLimit * 2)).ToJsonString();

        using var http = await PostRawAsync(client, big, chunked);

        var error = await AssertErrorAsync(http, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains(SmallLimit.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Str("message"), StringComparison.Ordinal);
        await AssertStillServesAsync(client);
        var justUnder = Request(new string('y', SmallLimit - 200)).ToJsonString();
        Assert.True(Encoding.UTF8.GetByteCount(justUnder) <= SmallLimit);
        using var ok = await PostRawAsync(client, justUnder, chunked);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Request_UnknownEndpoint_Returns404WithErrorShape()
    {
        using var http = await _client.GetAsync(new Uri("/v1/nothing-here", UriKind.Relative));

        await AssertErrorAsync(http, HttpStatusCode.NotFound);
    }

    private static async Task<HttpResponseMessage> PostRawAsync(HttpClient client, string body, bool chunked = false)
    {
        using HttpContent content = chunked ? new ChunkedContent(Encoding.UTF8.GetBytes(body)) : Content(body);
        content.Headers.ContentType = new("application/json");
        return await client.PostAsync(new Uri("/v1/responses", UriKind.Relative), content);
    }

    /// <summary>A body sent without Content-Length, so the server only learns its size by reading.</summary>
    private sealed class ChunkedContent(byte[] bytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            for (int i = 0; i < bytes.Length; i += 512)
            {
                await stream.WriteAsync(bytes.AsMemory(i, Math.Min(512, bytes.Length - i)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
