using Loopwire.Protocol.Errors;
using Loopwire.Server.WebSockets;

namespace Loopwire.Server.Tests.WebSockets;

public sealed class InboundMessageTests
{
    [Fact]
    public void Parse_ResponseCreate_ReturnsRequest()
    {
        var (request, error) = InboundMessage.Parse("""{"type":"response.create","model":"m","input":"hi"}"""u8);

        Assert.Null(error);
        Assert.Equal("m", request?.Model);
    }

    [Fact]
    public void Parse_ResponseProcessed_NeitherRequestNorError()
    {
        var (request, error) = InboundMessage.Parse("""{"type":"response.processed","response_id":"resp_1"}"""u8);

        Assert.Null(request);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("""[1]""", ErrorCodes.InvalidJson)]
    [InlineData("""{"model":"m"}""", ErrorCodes.MissingRequiredParameter)]
    [InlineData("""{"type":1}""", ErrorCodes.InvalidType)]
    [InlineData("""{"type":"nope"}""", ErrorCodes.UnknownMessageType)]
    [InlineData("""{"type":"response.append"}""", "unsupported_message")]
    [InlineData("""{"type":"response.create","model":"m","input":"hi","background":true}""", ErrorCodes.UnsupportedParameter)]
    public void Parse_Refused_ErrorCode(string json, string code) =>
        Assert.Equal(code, InboundMessage.Parse(System.Text.Encoding.UTF8.GetBytes(json)).Error?.Code);

    [Fact]
    public void Parse_InvalidUtf8_InvalidJson() =>
        Assert.Equal(ErrorCodes.InvalidJson, InboundMessage.Parse([(byte)'{', 0xC3, 0x28, (byte)'}']).Error?.Code);
}
