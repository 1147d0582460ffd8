using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;
using static Loopwire.Protocol.Tests.WireJson;

namespace Loopwire.Protocol.Tests.Streaming;

public sealed class ResponseEventTests
{
    private static ResponseObject Response(string status) => new() { Id = "resp_abc", Status = status, Model = "gpt-5", CreatedAt = 1741290958 };

    private static readonly MessageItem InProgressMessage = new()
    {
        Id = "msg_1",
        Status = "in_progress",
        Role = "assistant",
        Content = MessageContent.FromParts([]),
    };

    private static readonly FunctionCallItem InProgressCall = new()
    {
        Id = "fc_1",
        Status = "in_progress",
        CallId = "call_1",
        Name = "get_weather",
        Arguments = "",
    };

    // Every event with the fields PROTOCOL.md §3a–§3c requires besides type and sequence_number.
    private static readonly Dictionary<string, (ResponseEvent Event, string[] Fields)> Samples = new()
    {
        ["response.created"] = (new ResponseCreatedEvent { SequenceNumber = 0, Response = Response("in_progress") }, ["response"]),
        ["response.in_progress"] = (new ResponseInProgressEvent { SequenceNumber = 1, Response = Response("in_progress") }, ["response"]),
        ["response.queued"] = (new ResponseQueuedEvent { SequenceNumber = 0, Response = Response("queued") }, ["response"]),
        ["response.completed"] = (new ResponseCompletedEvent { SequenceNumber = 9, Response = Response("completed") }, ["response"]),
        ["response.incomplete"] = (new ResponseIncompleteEvent
        {
            SequenceNumber = 9,
            Response = Response("incomplete") with { IncompleteDetails = new IncompleteDetails("max_output_tokens") },
        }, ["response"]),
        ["response.failed"] = (new ResponseFailedEvent
        {
            SequenceNumber = 9,
            Response = Response("failed") with { Error = new ResponseError("server_error", "boom") },
        }, ["response"]),
        ["response.output_item.added"] = (new OutputItemAddedEvent { SequenceNumber = 2, OutputIndex = 0, Item = InProgressMessage }, ["output_index", "item"]),
        ["response.output_item.done"] = (new OutputItemDoneEvent
        {
            SequenceNumber = 8,
            OutputIndex = 1,
            Item = InProgressCall with { Status = "completed", Arguments = """{"city":"Paris"}""" },
        }, ["output_index", "item"]),
        ["response.content_part.added"] = (new ContentPartAddedEvent
        {
            SequenceNumber = 3,
            ItemId = "msg_1",
            OutputIndex = 0,
            ContentIndex = 0,
            Part = ContentPart.OutputText(""),
        }, ["item_id", "output_index", "content_index", "part"]),
        ["response.content_part.done"] = (new ContentPartDoneEvent
        {
            SequenceNumber = 7,
            ItemId = "msg_1",
            OutputIndex = 0,
            ContentIndex = 0,
            Part = ContentPart.OutputText("Hello"),
        }, ["item_id", "output_index", "content_index", "part"]),
        ["response.output_text.delta"] = (new OutputTextDeltaEvent
        {
            SequenceNumber = 5,
            ItemId = "msg_1",
            OutputIndex = 0,
            ContentIndex = 0,
            Delta = "Hel",
        }, ["item_id", "output_index", "content_index", "delta", "logprobs"]),
        ["response.output_text.done"] = (new OutputTextDoneEvent
        {
            SequenceNumber = 6,
            ItemId = "msg_1",
            OutputIndex = 0,
            ContentIndex = 0,
            Text = "Hello",
        }, ["item_id", "output_index", "content_index", "text", "logprobs"]),
        ["response.function_call_arguments.delta"] = (new FunctionCallArgumentsDeltaEvent
        {
            SequenceNumber = 4,
            ItemId = "fc_1",
            OutputIndex = 1,
            Delta = "{\"city\":",
        }, ["item_id", "output_index", "delta"]),
        ["response.function_call_arguments.done"] = (new FunctionCallArgumentsDoneEvent
        {
            SequenceNumber = 5,
            ItemId = "fc_1",
            OutputIndex = 1,
            Name = "get_weather",
            Arguments = """{"city":"Paris"}""",
        }, ["item_id", "output_index", "name", "arguments"]),
        ["response.custom_tool_call_input.delta"] = (new CustomToolCallInputDeltaEvent
        {
            SequenceNumber = 5, ItemId = "ctc_1", OutputIndex = 1, Delta = "SELECT ",
        }, ["item_id", "output_index", "delta"]),
        ["response.custom_tool_call_input.done"] = (new CustomToolCallInputDoneEvent
        {
            SequenceNumber = 6, ItemId = "ctc_1", OutputIndex = 1, Input = "SELECT 1",
        }, ["item_id", "output_index", "input"]),
        ["response.refusal.delta"] = (new RefusalDeltaEvent
        {
            SequenceNumber = 5, ItemId = "msg_1", OutputIndex = 0, ContentIndex = 0, Delta = "No",
        }, ["item_id", "output_index", "content_index", "delta"]),
        ["response.refusal.done"] = (new RefusalDoneEvent
        {
            SequenceNumber = 6, ItemId = "msg_1", OutputIndex = 0, ContentIndex = 0, Refusal = "No.",
        }, ["item_id", "output_index", "content_index", "refusal"]),
        ["response.reasoning_text.delta"] = (new ReasoningTextDeltaEvent
        {
            SequenceNumber = 5, ItemId = "rs_1", OutputIndex = 0, ContentIndex = 0, Delta = "hm",
        }, ["item_id", "output_index", "content_index", "delta"]),
        ["response.reasoning_text.done"] = (new ReasoningTextDoneEvent
        {
            SequenceNumber = 6, ItemId = "rs_1", OutputIndex = 0, ContentIndex = 0, Text = "hm.",
        }, ["item_id", "output_index", "content_index", "text"]),
        ["response.reasoning_summary_part.added"] = (new ReasoningSummaryPartAddedEvent
        {
            SequenceNumber = 3,
            ItemId = "rs_1",
            OutputIndex = 0,
            SummaryIndex = 0,
            Part = new ContentPart { Type = "summary_text", Text = "" },
        }, ["item_id", "output_index", "summary_index", "part"]),
        ["response.reasoning_summary_part.done"] = (new ReasoningSummaryPartDoneEvent
        {
            SequenceNumber = 6,
            ItemId = "rs_1",
            OutputIndex = 0,
            SummaryIndex = 0,
            Part = new ContentPart { Type = "summary_text", Text = "**Thinking**" },
        }, ["item_id", "output_index", "summary_index", "part"]),
        ["response.reasoning_summary_text.delta"] = (new ReasoningSummaryTextDeltaEvent
        {
            SequenceNumber = 4,
            ItemId = "rs_1",
            OutputIndex = 0,
            SummaryIndex = 0,
            Delta = "**Think",
        }, ["item_id", "output_index", "summary_index", "delta"]),
        ["response.reasoning_summary_text.done"] = (new ReasoningSummaryTextDoneEvent
        {
            SequenceNumber = 5,
            ItemId = "rs_1",
            OutputIndex = 0,
            SummaryIndex = 0,
            Text = "**Thinking**",
        }, ["item_id", "output_index", "summary_index", "text"]),
        ["error"] = (new ErrorEvent { SequenceNumber = 3, Code = null, Message = "The model produced invalid output.", Param = null }, ["code", "message", "param"]),
        ["response.compaction.compacting"] = (new CompactionCompactingEvent { SequenceNumber = 2, ItemId = "cmp_1", OutputIndex = 0 },
            ["item_id", "output_index"]),
        ["response.interrupt.accepted"] = (new InterruptAcceptedEvent { SequenceNumber = 3, ResponseId = "resp_1" }, ["response_id"]),
        ["response.steer.accepted"] = (new SteerAcceptedEvent { SequenceNumber = 4, Steer = new SteerInfo("steer_1", "resp_1") }, ["steer"]),
        ["response.steer.pending"] = (new SteerPendingEvent
        {
            SequenceNumber = 5,
            Steer = new SteerInfo("steer_1", "resp_1"),
            RequiredInput = [new RequiredInput("function_call_output", "call_1", "read_file")],
        }, ["steer", "reason", "required_input"]),
        ["response.steer.failed"] = (new SteerFailedEvent
        {
            SequenceNumber = 6,
            Steer = new SteerInfo(null, "resp_9"),
            Error = new ErrorDetailWithType(ErrorTypes.InvalidRequest, ErrorCodes.SteerResponseNotFound, "Response 'resp_9' not found.", null),
        }, ["steer", "error"]),
    };

    public static TheoryData<string> EventTypes => new(Samples.Keys);

    private static string Serialize(ResponseEvent e) => JsonSerializer.Serialize(e, ProtocolJsonContext.Wire.ResponseEvent);

    [Fact]
    public void Samples_CoverEveryDerivedType()
    {
        var declared = typeof(ResponseEvent).GetCustomAttributes<JsonDerivedTypeAttribute>()
            .Select(a => (Type: a.DerivedType, Name: (string)a.TypeDiscriminator!))
            .OrderBy(a => a.Name, StringComparer.Ordinal)
            .ToList();
        var sampled = Samples.Select(s => (Type: s.Value.Event.GetType(), Name: s.Key)).OrderBy(a => a.Name, StringComparer.Ordinal).ToList();

        Assert.Equal(declared, sampled);
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void Serialize_AnyEvent_TypeFirstAndEqualsEventType(string type)
    {
        var e = Samples[type].Event;

        string json = Serialize(e);

        Assert.Equal(type, e.EventType);
        Assert.Equal("type", PropertyNames(json)[0]);
        Assert.Equal(type, Object(json)["type"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void Serialize_AnyEvent_NoInternalPropertiesLeak(string type)
    {
        var names = PropertyNames(Serialize(Samples[type].Event));

        Assert.DoesNotContain("event_type", names);
        Assert.DoesNotContain("is_terminal", names);
        Assert.DoesNotContain("extra", names);
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void Serialize_AnyEvent_HasSequenceNumberAndProtocolFields(string type)
    {
        var (e, fields) = Samples[type];

        var json = Object(Serialize(e));

        Assert.Equal(e.SequenceNumber, json["sequence_number"]!.GetValue<int>());
        foreach (string field in fields)
        {
            Assert.True(json.ContainsKey(field), $"'{field}' missing from {json.ToJsonString()}");
        }
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void Deserialize_AnySerializedEvent_SameSubtypeAndSameJson(string type)
    {
        var e = Samples[type].Event;
        string json = Serialize(e);

        var back = JsonSerializer.Deserialize(json, ProtocolJsonContext.Wire.ResponseEvent);

        Assert.NotNull(back);
        Assert.IsType(e.GetType(), back);
        Assert.Equal(e.SequenceNumber, back.SequenceNumber);
        Assert.Equal(e.IsTerminal, back.IsTerminal);
        AssertJsonEqual(JsonNode.Parse(json), JsonNode.Parse(Serialize(back)));
    }

    [Fact]
    public void Serialize_OutputTextDelta_MatchesProtocolExample()
    {
        string json = Serialize(Samples["response.output_text.delta"].Event);

        AssertJsonEqual(
            JsonNode.Parse("""{"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hel","logprobs":[]}"""),
            JsonNode.Parse(json));
    }

    [Fact]
    public void Serialize_ContentPartAdded_PartHasEmptyTextAnnotationsAndLogprobs()
    {
        var json = Object(Serialize(Samples["response.content_part.added"].Event));

        AssertJsonEqual(JsonNode.Parse("""{"type":"output_text","text":"","annotations":[],"logprobs":[]}"""), json["part"]);
    }

    [Fact]
    public void Serialize_OutputItemAdded_FunctionCallHasEmptyArgumentsString()
    {
        var e = new OutputItemAddedEvent { SequenceNumber = 2, OutputIndex = 1, Item = InProgressCall };

        var json = Object(Serialize(e));

        AssertJsonEqual(
            JsonNode.Parse("""{"type":"function_call","id":"fc_1","status":"in_progress","call_id":"call_1","name":"get_weather","arguments":""}"""),
            json["item"]);
    }

    [Fact]
    public void Serialize_OutputItemAdded_ReasoningHasEmptySummary()
    {
        var e = new OutputItemAddedEvent { SequenceNumber = 2, OutputIndex = 0, Item = new ReasoningItem { Id = "rs_1" } };

        var json = Object(Serialize(e));

        AssertJsonEqual(JsonNode.Parse("""{"type":"reasoning","id":"rs_1","summary":[]}"""), json["item"]);
    }

    [Fact]
    public void Serialize_ErrorEvent_FlatWithExplicitNulls()
    {
        string json = Serialize(Samples["error"].Event);

        AssertJsonEqual(
            JsonNode.Parse("""{"type":"error","sequence_number":3,"code":null,"message":"The model produced invalid output.","param":null}"""),
            JsonNode.Parse(json));
    }

    [Fact]
    public void Deserialize_TextDelta_ReadsFields()
    {
        const string json = """{"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_1","output_index":2,"content_index":1,"delta":"Hel","logprobs":[],"obfuscation":"a1b2"}""";

        var e = Assert.IsType<OutputTextDeltaEvent>(JsonSerializer.Deserialize(json, ProtocolJsonContext.Wire.ResponseEvent));

        Assert.Equal((5, "msg_1", 2, 1, "Hel"), (e.SequenceNumber, e.ItemId, e.OutputIndex, e.ContentIndex, e.Delta));
        Assert.Equal("a1b2", e.Extra?["obfuscation"].GetString());
        Assert.False(e.Extra!.ContainsKey("type"));
    }

    [Fact]
    public void Deserialize_TypeNotFirst_StillPolymorphic()
    {
        const string json = """{"sequence_number":4,"item_id":"fc_1","output_index":1,"arguments":"{}","name":"f","type":"response.function_call_arguments.done"}""";

        var e = Assert.IsType<FunctionCallArgumentsDoneEvent>(JsonSerializer.Deserialize(json, ProtocolJsonContext.Wire.ResponseEvent));

        Assert.Equal(("fc_1", "{}", "f"), (e.ItemId, e.Arguments, e.Name));
    }

    [Fact]
    public void Deserialize_Completed_ReadsResponseAndOutputItems()
    {
        var completed = new ResponseCompletedEvent
        {
            SequenceNumber = 12,
            Response = Response("completed") with
            {
                CompletedAt = 1741290960,
                Output = [InProgressMessage with { Status = "completed", Content = MessageContent.FromParts([ContentPart.OutputText("Hi")]) }, InProgressCall],
                Usage = new Usage { InputTokens = 1200, InputTokensDetails = new() { CachedTokens = 1024 }, OutputTokens = 300, TotalTokens = 1500 },
            },
        };

        var back = Assert.IsType<ResponseCompletedEvent>(JsonSerializer.Deserialize(Serialize(completed), ProtocolJsonContext.Wire.ResponseEvent));

        Assert.True(back.IsTerminal);
        Assert.Equal(("resp_abc", "completed", 1741290960L), (back.Response.Id, back.Response.Status, back.Response.CompletedAt));
        Assert.Equal("Hi", Assert.IsType<MessageItem>(back.Response.Output[0]).Content.JoinedText());
        Assert.Equal("call_1", Assert.IsType<FunctionCallItem>(back.Response.Output[1]).CallId);
        Assert.Equal(1024, back.Response.Usage?.InputTokensDetails.CachedTokens);
    }

    [Theory]
    [InlineData("response.completed", true)]
    [InlineData("response.incomplete", true)]
    [InlineData("response.failed", true)]
    [InlineData("error", true)]
    [InlineData("response.created", false)]
    [InlineData("response.output_text.done", false)]
    [InlineData("response.output_item.done", false)]
    public void IsTerminal_ByEventType_MatchesProtocol(string type, bool terminal)
    {
        Assert.Equal(terminal, Samples[type].Event.IsTerminal);
    }
}
