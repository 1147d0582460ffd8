using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;
using static Loopwire.Protocol.Tests.WireJson;

namespace Loopwire.Protocol.Tests.Errors;

public sealed class ProtocolErrorTests
{
    [Fact]
    public void ErrorBody_PreviousResponseNotFound_MatchesProtocolShape()
    {
        var body = ProtocolError.PreviousResponseNotFound("resp_abc").ToBody();

        string json = JsonSerializer.Serialize(body, ProtocolJsonContext.Wire.ErrorBody);

        AssertJsonEqual(
            JsonNode.Parse("""
                {"error":{"message":"Previous response with id 'resp_abc' not found.","type":"invalid_request_error","param":"previous_response_id","code":"previous_response_not_found"}}
                """),
            JsonNode.Parse(json));
    }

    [Fact]
    public void ErrorBody_NullParamAndCode_WrittenAsExplicitNull()
    {
        var body = ProtocolError.ResponseNotFound("resp_x").ToBody();

        var error = Object(JsonSerializer.Serialize(body, ProtocolJsonContext.Wire.ErrorBody))["error"]!.AsObject();

        Assert.Equal(["message", "type", "param", "code"], error.Select(p => p.Key));
        Assert.Null(error["param"]);
        Assert.Null(error["code"]);
        Assert.Equal("Response with id 'resp_x' not found.", error["message"]!.GetValue<string>());
    }

    [Fact]
    public void WebSocketEnvelope_PreviousResponseNotFound_MatchesProtocolShape()
    {
        var envelope = WebSocketErrorEnvelope.From(ProtocolError.PreviousResponseNotFound("resp_abc"));

        string json = JsonSerializer.Serialize(envelope, ProtocolJsonContext.Wire.WebSocketErrorEnvelope);

        AssertJsonEqual(
            JsonNode.Parse("""
                {"type":"error","status":400,
                 "error":{"type":"invalid_request_error","code":"previous_response_not_found","message":"Previous response with id 'resp_abc' not found.","param":"previous_response_id"}}
                """),
            JsonNode.Parse(json));
        Assert.Equal("type", PropertyNames(json)[0]);
    }

    [Fact]
    public void WebSocketEnvelope_ServerError_StatusAndNullParamPresent()
    {
        var envelope = WebSocketErrorEnvelope.From(ProtocolError.Server("The backend failed."));

        var json = Object(JsonSerializer.Serialize(envelope, ProtocolJsonContext.Wire.WebSocketErrorEnvelope));

        Assert.Equal(500, json["status"]!.GetValue<int>());
        var error = json["error"]!.AsObject();
        Assert.Equal("server_error", error["type"]!.GetValue<string>());
        Assert.Equal("server_error", error["code"]!.GetValue<string>());
        Assert.True(error.ContainsKey("param"));
        Assert.Null(error["param"]);
    }

    [Fact]
    public void WebSocketEnvelope_NullCode_CodeWrittenAsNull()
    {
        var envelope = WebSocketErrorEnvelope.From(ProtocolError.ResponseNotFound("resp_x"));

        var error = Object(JsonSerializer.Serialize(envelope, ProtocolJsonContext.Wire.WebSocketErrorEnvelope))["error"]!.AsObject();

        Assert.True(error.ContainsKey("code"));
        Assert.Null(error["code"]);
        Assert.Equal(404, envelope.Status);
    }

    [Fact]
    public void WebSocketEnvelope_QuotesInMessage_NotUnicodeEscapedOnWire()
    {
        var envelope = WebSocketErrorEnvelope.From(ProtocolError.Invalid("Unknown message type 'response.steer'."));

        string json = JsonSerializer.Serialize(envelope, ProtocolJsonContext.Wire.WebSocketErrorEnvelope);

        Assert.Contains("'response.steer'", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_Defaults_400InvalidValue()
    {
        var e = ProtocolError.Invalid("bad", "x");

        Assert.Equal((400, "invalid_request_error", "invalid_value", "x"), (e.Status, e.Type, e.Code, e.Param));
    }

    [Fact]
    public void Missing_NamesParam()
    {
        var e = ProtocolError.Missing("model");

        Assert.Equal((400, "missing_required_parameter", "model"), (e.Status, e.Code, e.Param));
        Assert.Contains("'model'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("call_id", "[1]", "[1].call_id")]
    [InlineData("[1].call_id", "input", "input[1].call_id")]
    [InlineData("content[0].text", "[2]", "[2].content[0].text")]
    [InlineData("", "[0]", "[0]")]
    public void WithPrefix_Param_JoinedAndMessageUpdated(string param, string prefix, string expected)
    {
        var ex = new ProtocolException(ProtocolError.Missing(param)).WithPrefix(prefix);

        Assert.Equal(expected, ex.Error.Param);
        Assert.Contains($"'{expected}'", ex.Error.Message, StringComparison.Ordinal);
        Assert.Equal(ex.Error.Message, ex.Message);
    }

    [Fact]
    public void WithPrefix_NullParam_PrefixBecomesParamMessageUnchanged()
    {
        var ex = new ProtocolException(ProtocolError.Invalid("Something is off.")).WithPrefix("input");

        Assert.Equal("input", ex.Error.Param);
        Assert.Equal("Something is off.", ex.Error.Message);
    }
}
