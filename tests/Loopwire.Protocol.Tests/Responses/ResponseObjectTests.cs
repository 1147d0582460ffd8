using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;
using static Loopwire.Protocol.Tests.WireJson;

namespace Loopwire.Protocol.Tests.Responses;

public sealed class ResponseObjectTests
{
    private static readonly ResponseObject InProgress = new() { Id = "resp_1", Status = "in_progress", Model = "gpt-5", CreatedAt = 1741290958 };

    private static JsonObject Serialize(ResponseObject r) => Object(JsonSerializer.Serialize(r, ProtocolJsonContext.Wire.ResponseObject));

    [Theory]
    [InlineData("previous_response_id")]
    [InlineData("error")]
    [InlineData("incomplete_details")]
    [InlineData("instructions")]
    [InlineData("usage")]
    [InlineData("completed_at")]
    [InlineData("max_output_tokens")]
    [InlineData("max_tool_calls")]
    [InlineData("prompt_cache_key")]
    [InlineData("prompt_cache_retention")]
    [InlineData("safety_identifier")]
    [InlineData("user")]
    public void Serialize_UnsetNullableField_WrittenAsExplicitNull(string field)
    {
        var json = Serialize(InProgress);

        Assert.True(json.ContainsKey(field), $"'{field}' missing");
        Assert.Null(json[field]);
    }

    [Fact]
    public void Serialize_InProgress_HasDefaultsOfProtocol()
    {
        var json = Serialize(InProgress);

        Assert.Equal(["id", "object"], json.Select(p => p.Key).Take(2));
        Assert.Equal("response", json["object"]!.GetValue<string>());
        Assert.Equal(1741290958, json["created_at"]!.GetValue<long>());
        Assert.Equal("in_progress", json["status"]!.GetValue<string>());
        Assert.False(json["background"]!.GetValue<bool>());
        Assert.Empty(json["output"]!.AsArray());
        Assert.True(json["store"]!.GetValue<bool>());
        Assert.Empty(json["tools"]!.AsArray());
        Assert.Equal("auto", json["tool_choice"]!.GetValue<string>());
        Assert.True(json["parallel_tool_calls"]!.GetValue<bool>());
        Assert.Empty(json["metadata"]!.AsObject());
        AssertJsonEqual(JsonNode.Parse("""{"format":{"type":"text"},"verbosity":"medium"}"""), json["text"]);
        Assert.Equal("disabled", json["truncation"]!.GetValue<string>());
        Assert.Equal(1.0, json["temperature"]!.GetValue<double>());
        Assert.Equal(1.0, json["top_p"]!.GetValue<double>());
        Assert.Equal(0, json["top_logprobs"]!.GetValue<int>());
        AssertJsonEqual(JsonNode.Parse("""{"effort":null,"summary":null}"""), json["reasoning"]);
        Assert.Equal("default", json["service_tier"]!.GetValue<string>());
        Assert.False(json.ContainsKey("input"));
        Assert.False(json.ContainsKey("extra"));
    }

    [Fact]
    public void Serialize_Completed_UsageErrorAndDetailsShapes()
    {
        var completed = InProgress with
        {
            Status = "completed",
            CompletedAt = 1741290960,
            PreviousResponseId = "resp_0",
            Instructions = JsonSerializer.SerializeToElement("Be brief."),
            Usage = new Usage
            {
                InputTokens = 1200,
                InputTokensDetails = new() { CachedTokens = 1024 },
                OutputTokens = 300,
                OutputTokensDetails = new() { ReasoningTokens = 128 },
                TotalTokens = 1500,
            },
            Output = [new MessageItem { Id = "msg_1", Status = "completed", Role = "assistant", Content = MessageContent.FromParts([ContentPart.OutputText("Hi")]) }],
        };

        var json = Serialize(completed);

        AssertJsonEqual(
            JsonNode.Parse("""{"input_tokens":1200,"input_tokens_details":{"cached_tokens":1024},"output_tokens":300,"output_tokens_details":{"reasoning_tokens":128},"total_tokens":1500}"""),
            json["usage"]);
        Assert.Equal("resp_0", json["previous_response_id"]!.GetValue<string>());
        Assert.Equal("Be brief.", json["instructions"]!.GetValue<string>());
        Assert.Equal(1741290960, json["completed_at"]!.GetValue<long>());
        Assert.Equal("message", json["output"]![0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void Serialize_Failed_ErrorHasCodeAndMessage()
    {
        var json = Serialize(InProgress with { Status = "failed", Error = new ResponseError("server_error", "boom") });

        AssertJsonEqual(JsonNode.Parse("""{"code":"server_error","message":"boom"}"""), json["error"]);
    }

    [Fact]
    public void Serialize_Incomplete_DetailsHaveReason()
    {
        var json = Serialize(InProgress with { Status = "incomplete", IncompleteDetails = new IncompleteDetails("max_output_tokens") });

        AssertJsonEqual(JsonNode.Parse("""{"reason":"max_output_tokens"}"""), json["incomplete_details"]);
    }

    [Fact]
    public void Serialize_InsideCreatedEvent_NullsKept()
    {
        var e = new ResponseCreatedEvent { SequenceNumber = 0, Response = InProgress };

        var json = Object(JsonSerializer.Serialize<ResponseEvent>(e, ProtocolJsonContext.Wire.ResponseEvent));

        var response = json["response"]!.AsObject();
        Assert.True(response.ContainsKey("usage") && response["usage"] is null);
        Assert.True(response.ContainsKey("error") && response["error"] is null);
    }

    [Fact]
    public void Deserialize_OpenAiResponse_UnknownFieldsKept()
    {
        const string json = """
            {"id":"resp_08b3bd3a74e12ca70169866","object":"response","created_at":1741290958,"status":"completed","background":false,
             "model":"gpt-5.2","instructions":null,"output":[{"id":"rs_1","type":"reasoning","summary":[]},
             {"id":"msg_1","type":"message","status":"completed","role":"assistant","phase":"final_answer","content":[{"type":"output_text","text":"Hi","annotations":[],"logprobs":[]}]}],
             "usage":{"input_tokens":10,"input_tokens_details":{"cached_tokens":0,"cache_write_tokens":0},"output_tokens":2,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":12},
             "previous_response_id":null,"store":true,"tools":[],"tool_choice":"auto","parallel_tool_calls":true,"metadata":{},
             "error":null,"incomplete_details":null,"text":{"format":{"type":"text"},"verbosity":"medium"},"truncation":"disabled",
             "temperature":1.0,"top_p":1.0,"top_logprobs":0,"reasoning":{"effort":"medium","summary":null},"service_tier":"default",
             "output_text":"Hi","conversation":null}
            """;

        var r = JsonSerializer.Deserialize(json, ProtocolJsonContext.Wire.ResponseObject)!;

        Assert.Equal("resp_08b3bd3a74e12ca70169866", r.Id);
        Assert.Equal(2, r.Output.Count);
        Assert.Equal("final_answer", Assert.IsType<MessageItem>(r.Output[1]).Extra?["phase"].GetString());
        Assert.Equal("Hi", r.Extra?["output_text"].GetString());
        Assert.Equal("medium", r.Reasoning.Effort);
        Assert.Equal(12, r.Usage?.TotalTokens);
    }

    [Fact]
    public void Serialize_ItemList_FirstAndLastIdExplicitNull()
    {
        var json = Object(JsonSerializer.Serialize(new ItemList("list", [], null, null, false), ProtocolJsonContext.Wire.ItemList));

        AssertJsonEqual(JsonNode.Parse("""{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}"""), json);
    }

    [Fact]
    public void Serialize_DeletedResponse_MatchesProtocol()
    {
        var json = Object(JsonSerializer.Serialize(new DeletedResponse("resp_1", "response.deleted", true), ProtocolJsonContext.Wire.DeletedResponse));

        AssertJsonEqual(JsonNode.Parse("""{"id":"resp_1","object":"response.deleted","deleted":true}"""), json);
    }
}
