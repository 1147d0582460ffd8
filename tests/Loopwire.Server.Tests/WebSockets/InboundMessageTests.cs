using Loopwire.Protocol.Errors;
using Loopwire.Server.WebSockets;

namespace Loopwire.Server.Tests.WebSockets;

public sealed class InboundMessageTests
{
    [Fact]
    public void Parse_ResponseCreate_ReturnsRequestOnDefaultLane()
    {
        var create = Assert.IsType<CreateMessage>(InboundMessage.Parse("""{"type":"response.create","model":"m","input":"hi"}"""u8));

        Assert.Equal("m", create.Request.Model);
        Assert.Null(create.StreamId);
    }

    [Fact]
    public void Parse_ResponseCreateWithStreamId_ReturnsLane()
    {
        var create = Assert.IsType<CreateMessage>(InboundMessage.Parse("""{"type":"response.create","stream_id":"a-1.b_2","model":"m","input":"hi"}"""u8));

        Assert.Equal("a-1.b_2", create.StreamId);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("1")]
    [InlineData("null")]
    [InlineData("\"a/b\"")]
    [InlineData("\"a b\"")]
    public void Parse_InvalidStreamId_InvalidStreamIdWithoutEcho(string streamId)
    {
        var invalid = Assert.IsType<InvalidMessage>(InboundMessage.Parse(System.Text.Encoding.UTF8.GetBytes(
            $$"""{"type":"response.create","stream_id":{{streamId}},"model":"m","input":"hi"}""")));

        Assert.Equal(ErrorCodes.InvalidStreamId, invalid.Error.Code);
        Assert.Equal("stream_id", invalid.Error.Param);
        Assert.Null(invalid.StreamId);
    }

    [Fact]
    public void Parse_StreamIdOf257Characters_Invalid()
    {
        string json = $$"""{"type":"response.create","stream_id":"{{new string('a', 257)}}","model":"m","input":"hi"}""";
        var invalid = Assert.IsType<InvalidMessage>(InboundMessage.Parse(System.Text.Encoding.UTF8.GetBytes(json)));

        Assert.Equal(ErrorCodes.InvalidStreamId, invalid.Error.Code);
    }

    [Fact]
    public void Parse_InvalidCreateOnNamedLane_ErrorEchoesLane()
    {
        var invalid = Assert.IsType<InvalidMessage>(InboundMessage.Parse("""{"type":"response.create","stream_id":"a","input":"hi"}"""u8));

        Assert.Equal("a", invalid.StreamId);
    }

    [Fact]
    public void Parse_ResponseProcessed_Nothing() =>
        Assert.Null(InboundMessage.Parse("""{"type":"response.processed","response_id":"resp_1"}"""u8));

    [Fact]
    public void Parse_Steer_UserMessages()
    {
        var steer = Assert.IsType<SteerMessage>(InboundMessage.Parse("""{"type":"response.steer","previous_response_id":"resp_1","input":"go left"}"""u8));

        Assert.Null(steer.Error);
        Assert.Equal("resp_1", steer.PreviousResponseId);
        Assert.Single(steer.Items!);
    }

    [Theory]
    [InlineData("""{"type":"response.steer","previous_response_id":"resp_1","input":"x","stream_id":"a"}""")]
    [InlineData("""{"type":"response.steer","previous_response_id":"resp_1","input":[]}""")]
    [InlineData("""{"type":"response.steer","previous_response_id":"resp_1","input":[{"type":"message","role":"assistant","content":"x"}]}""")]
    [InlineData("""{"type":"response.steer","previous_response_id":"resp_1","input":[{"type":"function_call_output","call_id":"c","output":"x"}]}""")]
    [InlineData("""{"type":"response.steer","input":"x"}""")]
    public void Parse_InvalidSteer_InvalidInputKeepingOriginal(string json)
    {
        var steer = Assert.IsType<SteerMessage>(InboundMessage.Parse(System.Text.Encoding.UTF8.GetBytes(json)));

        Assert.Equal(ErrorCodes.SteerInvalidInput, steer.Error?.Code);
        Assert.NotNull(steer.Input);
    }

    [Fact]
    public void Parse_Interrupt_DefaultsToDiscardPartialItems()
    {
        var interrupt = Assert.IsType<InterruptMessage>(InboundMessage.Parse("""{"type":"response.interrupt","response_id":"resp_1"}"""u8));

        Assert.Equal("resp_1", interrupt.ResponseId);
        Assert.Equal(InboundMessage.DiscardPartialItems, interrupt.Mode);
    }

    [Theory]
    [InlineData("""[1]""", ErrorCodes.InvalidJson)]
    [InlineData("""{"model":"m"}""", ErrorCodes.MissingRequiredParameter)]
    [InlineData("""{"type":1}""", ErrorCodes.InvalidType)]
    [InlineData("""{"type":"nope"}""", ErrorCodes.UnknownMessageType)]
    [InlineData("""{"type":"response.append"}""", "unsupported_message")]
    [InlineData("""{"type":"response.create","model":"m","input":"hi","background":true}""", ErrorCodes.UnsupportedParameter)]
    [InlineData("""{"type":"response.interrupt","response_id":"resp_1","mode":"keep"}""", ErrorCodes.InvalidValue)]
    [InlineData("""{"type":"response.interrupt"}""", ErrorCodes.MissingRequiredParameter)]
    public void Parse_Refused_ErrorCode(string json, string code) =>
        Assert.Equal(code, Assert.IsType<InvalidMessage>(InboundMessage.Parse(System.Text.Encoding.UTF8.GetBytes(json))).Error.Code);

    [Fact]
    public void Parse_InvalidUtf8_InvalidJson() =>
        Assert.Equal(ErrorCodes.InvalidJson, Assert.IsType<InvalidMessage>(InboundMessage.Parse([(byte)'{', 0xC3, 0x28, (byte)'}'])).Error.Code);
}
