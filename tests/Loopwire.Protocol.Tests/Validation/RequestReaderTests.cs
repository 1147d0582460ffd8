using System.Text;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Validation;
using static Loopwire.Protocol.Tests.WireJson;

namespace Loopwire.Protocol.Tests.Validation;

public sealed partial class RequestReaderTests
{
    private static void AssertError(ProtocolError error, string? code, string? param, int status = 400)
    {
        Assert.Equal(status, error.Status);
        Assert.Equal("invalid_request_error", error.Type);
        Assert.Equal(code, error.Code);
        Assert.Equal(param, error.Param);
        if (param is not null)
        {
            Assert.Contains($"'{param}'", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TryParse_EmptyBody_InvalidJson()
    {
        var error = RequestReader.TryParse(ReadOnlySpan<byte>.Empty, out var request);

        Assert.NotNull(error);
        Assert.Null(request);
        AssertError(error, "invalid_json", null);
        Assert.Contains("empty", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void TryParse_MalformedJson_InvalidJsonNamingLineAndPosition()
    {
        const string json = "{\n  \"model\": \"gpt-5\",\n  \"input\": \"hi\",,\n}";

        var error = ParseInvalid(json);

        AssertError(error, "invalid_json", null);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("position 17", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_TruncatedJson_InvalidJson()
    {
        var error = ParseInvalid("""{"model":"gpt-5","input":"hi" """);

        AssertError(error, "invalid_json", null);
        Assert.Contains("line 1, position 31", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_TruncatedInsideInput_InvalidJsonAtInput()
    {
        var error = ParseInvalid("""{"model":"gpt-5","input":[{"role":"user","content":"hi"}""");

        Assert.Equal((400, "invalid_json", "input"), (error.Status, error.Code, error.Param));
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_TrailingGarbage_InvalidJson()
    {
        AssertError(ParseInvalid("""{"model":"m","input":"hi"} x"""), "invalid_json", null);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"hello\"")]
    [InlineData("42")]
    public void TryParse_BodyNotAnObject_InvalidType(string json)
    {
        var error = ParseInvalid(json);

        AssertError(error, "invalid_type", null);
        Assert.DoesNotContain("Loopwire", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_MalformedJsonInsideInput_InvalidJson()
    {
        var error = ParseInvalid("""{"model":"gpt-5","input":[{"role":"user","content":"hi" "x":1}]}""");

        Assert.Equal(400, error.Status);
        Assert.Equal("invalid_json", error.Code);
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_JsonNull_InvalidJson()
    {
        var error = ParseInvalid("null");

        AssertError(error, "invalid_json", null);
    }

    [Theory]
    [InlineData("{\"model\":\"", "\",\"input\":\"hi\"}", "model")]
    [InlineData("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":\"", "\"}]}", "input")]
    public void TryParse_InvalidUtf8_InvalidJson(string before, string after, string param)
    {
        byte[] body = [.. Encoding.UTF8.GetBytes(before), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(after)];

        var error = RequestReader.TryParse(body, out var request);

        Assert.Null(request);
        Assert.NotNull(error);
        AssertError(error, "invalid_json", param);
        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"m","input":"hi","temperature":"hot"}""", "temperature", "a number")]
    [InlineData("""{"model":"m","input":"hi","top_p":true}""", "top_p", "a number")]
    [InlineData("""{"model":"m","input":"hi","stream":"yes"}""", "stream", "a boolean")]
    [InlineData("""{"model":"m","input":"hi","store":1}""", "store", "a boolean")]
    [InlineData("""{"model":"m","input":"hi","max_output_tokens":"100"}""", "max_output_tokens", "an integer")]
    [InlineData("""{"model":"m","input":"hi","max_output_tokens":1.5}""", "max_output_tokens", "an integer")]
    [InlineData("""{"model":7,"input":"hi"}""", "model", "a string")]
    [InlineData("""{"model":"m","input":"hi","previous_response_id":{}}""", "previous_response_id", "a string")]
    [InlineData("""{"model":"m","input":"hi","metadata":"x"}""", "metadata", "an object of string values")]
    [InlineData("""{"model":"m","input":"hi","include":"reasoning.encrypted_content"}""", "include", "an array")]
    [InlineData("""{"model":"m","input":"hi","tools":{}}""", "tools", "an array")]
    [InlineData("""{"model":"m","input":"hi","reasoning":"high"}""", "reasoning", "an object")]
    public void TryParse_WrongTopLevelType_InvalidTypeNamingParam(string json, string param, string expected)
    {
        var error = ParseInvalid(json);

        AssertError(error, "invalid_type", param);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"m","input":42}""")]
    [InlineData("""{"model":"m","input":{"role":"user","content":"hi"}}""")]
    [InlineData("""{"model":"m","input":true}""")]
    public void TryParse_InputNeitherStringNorArray_InvalidTypeInput(string json)
    {
        AssertError(ParseInvalid(json), "invalid_type", "input");
    }

    [Fact]
    public void TryParse_InstructionsNumber_InvalidTypeInstructions()
    {
        AssertError(ParseInvalid("""{"model":"m","input":"hi","instructions":5}"""), "invalid_type", "instructions");
    }

    [Theory]
    [InlineData("""{"input":"hi"}""")]
    [InlineData("""{"model":"","input":"hi"}""")]
    [InlineData("""{"model":"   ","input":"hi"}""")]
    [InlineData("""{"model":null,"input":"hi"}""")]
    public void TryParse_MissingModel_MissingRequiredParameter(string json)
    {
        AssertError(ParseInvalid(json), "missing_required_parameter", "model");
    }

    [Fact]
    public void TryParse_MissingInput_MissingRequiredParameter()
    {
        AssertError(ParseInvalid("""{"model":"m"}"""), "missing_required_parameter", "input");
    }

    [Theory]
    [InlineData("""{"model":"m","previous_response_id":"resp_1"}""")]
    [InlineData("""{"type":"response.create","model":"m","generate":false}""")]
    [InlineData("""{"model":"m","input":[]}""")]
    public void TryParse_NoInputButContinuationOrWarmup_Valid(string json)
    {
        ParseValid(json);
    }

    [Fact]
    public void TryParse_UnknownItemType_InvalidValueAtItemType()
    {
        var error = ParseInvalid("""
            {"model":"m","input":[
              {"role":"user","content":"hi"},
              {"type":"message","role":"assistant","content":[{"type":"output_text","text":"hello"}]},
              {"type":"telepathy","payload":"?"}
            ]}
            """);

        AssertError(error, "invalid_value", "input[2].type");
        Assert.Contains("telepathy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_ItemWithoutTypeOrRole_MissingType()
    {
        AssertError(ParseInvalid("""{"model":"m","input":[{"content":"hi"}]}"""), "missing_required_parameter", "input[0].type");
    }

    [Fact]
    public void TryParse_ItemNotAnObject_InvalidTypeAtIndex()
    {
        AssertError(ParseInvalid("""{"model":"m","input":["hi"]}"""), "invalid_type", "input[0]");
    }

    [Fact]
    public void TryParse_FunctionCallOutputWithoutCallId_MissingCallId()
    {
        var error = ParseInvalid("""
            {"model":"m","input":[
              {"type":"function_call","call_id":"call_1","name":"f","arguments":"{}"},
              {"type":"function_call_output","output":"42"}
            ]}
            """);

        AssertError(error, "missing_required_parameter", "input[1].call_id");
    }

    [Theory]
    [InlineData("""{"type":"function_call","name":"f","arguments":"{}"}""", "call_id")]
    [InlineData("""{"type":"function_call","call_id":"c","arguments":"{}"}""", "name")]
    [InlineData("""{"type":"function_call","call_id":"c","name":"f"}""", "arguments")]
    [InlineData("""{"type":"function_call_output","call_id":"c"}""", "output")]
    [InlineData("""{"type":"custom_tool_call","name":"f","input":"x"}""", "call_id")]
    [InlineData("""{"type":"custom_tool_call_output","output":"x"}""", "call_id")]
    [InlineData("""{"type":"item_reference"}""", "id")]
    [InlineData("""{"type":"message","content":"hi"}""", "role")]
    [InlineData("""{"type":"message","role":"user"}""", "content")]
    public void TryParse_ItemMissingRequiredField_MissingAtItemPath(string item, string field)
    {
        var error = ParseInvalid($$"""{"model":"m","input":[{{item}}]}""");

        AssertError(error, "missing_required_parameter", $"input[0].{field}");
    }

    [Theory]
    [InlineData("""{"type":"function_call","call_id":7,"name":"f","arguments":"{}"}""", "call_id")]
    [InlineData("""{"type":"message","role":"user","content":5}""", "content")]
    [InlineData("""{"type":"function_call_output","call_id":"c","output":{"x":1}}""", "output")]
    [InlineData("""{"type":"reasoning","summary":"s"}""", "summary")]
    [InlineData("""{"type":"reasoning","summary":[],"encrypted_content":1}""", "encrypted_content")]
    public void TryParse_ItemFieldOfWrongType_InvalidTypeAtItemPath(string item, string field)
    {
        var error = ParseInvalid($$"""{"model":"m","input":[{{item}}]}""");

        AssertError(error, "invalid_type", $"input[0].{field}");
    }

    [Fact]
    public void TryParse_FunctionCallArgumentsObject_KeptAsRawJsonString()
    {
        var req = ParseValid("""{"model":"m","input":[{"type":"function_call","call_id":"c","name":"f","arguments":{"a":1}}]}""");

        Assert.Equal("""{"a":1}""", Assert.IsType<FunctionCallItem>(req.Input![0]).Arguments);
    }

    [Fact]
    public void TryParse_BadRole_InvalidValueAtRole()
    {
        var error = ParseInvalid("""{"model":"m","input":[{"role":"robot","content":"beep"}]}""");

        AssertError(error, "invalid_value", "input[0].role");
        Assert.Contains("robot", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_BadContentPartType_InvalidValueAtPartType()
    {
        var error = ParseInvalid("""
            {"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"hi"},{"type":"input_video","url":"x"}]}]}
            """);

        AssertError(error, "invalid_value", "input[0].content[1].type");
        Assert.Contains("input_video", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"input_text"}""", "missing_required_parameter", "text")]
    [InlineData("""{"type":"output_text","text":null}""", "missing_required_parameter", "text")]
    [InlineData("""{"type":"refusal"}""", "missing_required_parameter", "refusal")]
    [InlineData("""{"type":"input_image","detail":"auto"}""", "missing_required_parameter", "image_url")]
    [InlineData("""{"text":"no type"}""", "missing_required_parameter", "type")]
    [InlineData("""{"type":"input_text","text":3}""", "invalid_type", "text")]
    [InlineData("""{"type":"output_text","text":"a","annotations":{}}""", "invalid_type", "annotations")]
    [InlineData("\"just a string\"", "invalid_type", null)]
    public void TryParse_BadContentPart_ErrorAtPartPath(string part, string code, string? field)
    {
        var error = ParseInvalid($$"""{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"ok"},{{part}}]}]}""");

        AssertError(error, code, field is null ? "input[0].content[1]" : $"input[0].content[1].{field}");
    }

    [Fact]
    public void TryParse_BadPartInReasoningSummary_ErrorAtSummaryPath()
    {
        var error = ParseInvalid("""{"model":"m","input":[{"role":"user","content":"hi"},{"type":"reasoning","summary":[{"type":"summary_text"}]}]}""");

        AssertError(error, "missing_required_parameter", "input[1].summary[0].text");
    }

    [Fact]
    public void TryParse_AssistantMessageWithInputImage_InvalidValueAtContent()
    {
        var error = ParseInvalid("""{"model":"m","input":[{"role":"assistant","content":[{"type":"input_image","image_url":"https://x/a.png"}]}]}""");

        AssertError(error, "invalid_value", "input[0].content");
    }

    [Theory]
    [InlineData("temperature", "-0.1")]
    [InlineData("temperature", "2.5")]
    [InlineData("top_p", "-1")]
    [InlineData("top_p", "1.01")]
    [InlineData("max_output_tokens", "0")]
    public void TryParse_NumberOutOfRange_InvalidValue(string param, string value)
    {
        var error = ParseInvalid($$"""{"model":"m","input":"hi","{{param}}":{{value}}}""");

        AssertError(error, "invalid_value", param);
    }

    [Theory]
    [InlineData("temperature", "0")]
    [InlineData("temperature", "2")]
    [InlineData("top_p", "0")]
    [InlineData("top_p", "1")]
    [InlineData("max_output_tokens", "1")]
    public void TryParse_NumberAtBound_Valid(string param, string value)
    {
        ParseValid($$"""{"model":"m","input":"hi","{{param}}":{{value}}}""");
    }

    [Fact]
    public void TryParse_BadTruncation_InvalidValue()
    {
        var error = ParseInvalid("""{"model":"m","input":"hi","truncation":"sometimes"}""");

        AssertError(error, "invalid_value", "truncation");
        Assert.Contains("sometimes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("disabled")]
    public void TryParse_KnownTruncation_Valid(string truncation)
    {
        Assert.Equal(truncation, ParseValid($$"""{"model":"m","input":"hi","truncation":"{{truncation}}"}""").Truncation);
    }

    [Fact]
    public void TryParse_SeventeenMetadataPairs_InvalidValue()
    {
        string pairs = string.Join(',', Enumerable.Range(0, 17).Select(i => $"\"k{i}\":\"v\""));

        var error = ParseInvalid("{\"model\":\"m\",\"input\":\"hi\",\"metadata\":{" + pairs + "}}");

        AssertError(error, "invalid_value", "metadata");
    }

    [Fact]
    public void TryParse_SixteenMetadataPairs_Valid()
    {
        string pairs = string.Join(',', Enumerable.Range(0, 16).Select(i => $"\"k{i}\":\"v\""));

        Assert.Equal(16, ParseValid("{\"model\":\"m\",\"input\":\"hi\",\"metadata\":{" + pairs + "}}").Metadata!.Count);
    }

    [Fact]
    public void TryParse_MetadataKeyTooLong_InvalidValueAtKey()
    {
        string key = new('k', 65);

        var error = ParseInvalid($$$"""{"model":"m","input":"hi","metadata":{"{{{key}}}":"v"}}""");

        AssertError(error, "invalid_value", $"metadata.{key}");
    }

    [Fact]
    public void TryParse_MetadataValueTooLong_InvalidValueAtKey()
    {
        var error = ParseInvalid($$$"""{"model":"m","input":"hi","metadata":{"k":"{{{new string('v', 513)}}}"}}""");

        AssertError(error, "invalid_value", "metadata.k");
    }

    [Theory]
    [InlineData("""{"type":"function","parameters":{}}""")]
    [InlineData("""{"type":"function","name":""}""")]
    [InlineData("""{"type":"custom","description":"no name"}""")]
    public void TryParse_ToolWithoutName_MissingToolName(string tool)
    {
        AssertError(ParseInvalid($$"""{"model":"m","input":"hi","tools":[{{tool}}]}"""), "missing_required_parameter", "tools[0].name");
    }

    [Fact]
    public void TryParse_SecondToolWithoutType_MissingToolType()
    {
        AssertError(
            ParseInvalid("""{"model":"m","input":"hi","tools":[{"type":"web_search"},{"name":"f"}]}"""),
            "missing_required_parameter",
            "tools[1].type");
    }

    [Fact]
    public void TryParse_NullTool_InvalidType()
    {
        AssertError(ParseInvalid("""{"model":"m","input":"hi","tools":[null]}"""), "invalid_type", "tools[0]");
    }

    [Fact]
    public void TryParse_FunctionToolParametersNotObject_InvalidType()
    {
        AssertError(
            ParseInvalid("""{"model":"m","input":"hi","tools":[{"type":"function","name":"f","parameters":"{}"}]}"""),
            "invalid_type",
            "tools[0].parameters");
    }

    [Fact]
    public void TryParse_UnknownTopLevelFields_Ignored()
    {
        var req = ParseValid("""{"model":"m","input":"hi","stream_options":{"include_obfuscation":false},"future_field":[1,2,3]}""");

        Assert.Equal("m", req.Model);
    }
}
