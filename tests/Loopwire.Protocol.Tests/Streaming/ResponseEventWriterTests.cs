using System.Buffers;
using System.Text;
using System.Text.Json;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Protocol.Tests.Streaming;

/// <summary>The event writer's JSON is byte for byte the serializer's, for the events it writes by hand and the rest.</summary>
public sealed class ResponseEventWriterTests
{
    // Quotes, backslashes, control characters, non-ASCII and a surrogate pair: the relaxed wire escaping must match.
    private const string Awkward = "a \"quoted\" \\ back\nline\t\u0001 é – 日本 😀 <b>&amp;</b>";

    private static readonly ResponseObject Pending = new()
    {
        Id = "resp_1",
        Status = ResponseStatus.InProgress,
        Model = "sim-instant",
        CreatedAt = 1741290958,
        Metadata = new() { ["k"] = Awkward },
    };

    public static TheoryData<string> EventNames() => [.. Events().Keys];

    private static Dictionary<string, ResponseEvent> Events() => new()
    {
        ["text delta"] = new OutputTextDeltaEvent { SequenceNumber = 5, ItemId = "msg_1", OutputIndex = 0, ContentIndex = 0, Delta = " token" },
        ["text delta, awkward text, lane"] = new OutputTextDeltaEvent
        {
            SequenceNumber = 12345,
            ItemId = "msg_2",
            OutputIndex = 3,
            ContentIndex = 1,
            Delta = Awkward,
            StreamId = "lane \"b\"",
        },
        ["text delta with logprobs"] = new OutputTextDeltaEvent
        {
            SequenceNumber = 5,
            ItemId = "msg_1",
            Delta = "x",
            Logprobs = [JsonDocument.Parse("""{"token":"x","logprob":-0.5}""").RootElement],
        },
        ["text delta with unknown fields"] = new OutputTextDeltaEvent
        {
            SequenceNumber = 5,
            ItemId = "msg_1",
            Delta = "x",
            Extra = new() { ["obfuscation"] = JsonDocument.Parse("\"abc\"").RootElement },
        },
        ["arguments delta"] = new FunctionCallArgumentsDeltaEvent { SequenceNumber = 7, ItemId = "fc_1", OutputIndex = 1, Delta = """{"city":"Pa""" },
        ["arguments delta, lane"] = new FunctionCallArgumentsDeltaEvent { SequenceNumber = 7, ItemId = "fc_1", OutputIndex = 1, Delta = Awkward, StreamId = "b" },
        ["reasoning delta"] = new ReasoningSummaryTextDeltaEvent { SequenceNumber = 3, ItemId = "rs_1", OutputIndex = 0, SummaryIndex = 2, Delta = Awkward },
        ["created"] = new ResponseCreatedEvent { SequenceNumber = 0, Response = Pending },
        ["in_progress, lane"] = new ResponseInProgressEvent { SequenceNumber = 1, Response = Pending, StreamId = "b" },
        ["completed"] = new ResponseCompletedEvent
        {
            SequenceNumber = 9,
            Response = Pending with
            {
                Status = ResponseStatus.Completed,
                Output = [new MessageItem { Id = "msg_1", Status = "completed", Role = "assistant", Content = MessageContent.FromParts([ContentPart.OutputText(Awkward)]) }],
                Usage = new Usage { InputTokens = 10, OutputTokens = 2, TotalTokens = 12 },
            },
        },
        ["content part added"] = new ContentPartAddedEvent { SequenceNumber = 3, ItemId = "msg_1", Part = ContentPart.OutputText("") },
        ["output item done"] = new OutputItemDoneEvent
        {
            SequenceNumber = 8,
            Item = new FunctionCallItem { Id = "fc_1", Status = "completed", CallId = "call_1", Name = "f", Arguments = "{}" },
        },
        ["error"] = new ErrorEvent { SequenceNumber = 2, Code = "server_error", Message = Awkward },
    };

    [Theory]
    [MemberData(nameof(EventNames))]
    public void Write_Event_BytesEqualTheSerializers(string name)
    {
        var e = Events()[name];
        using var events = new ResponseEventWriter();

        Assert.Equal(Serialized(e), Written(events, e));
    }

    [Fact]
    public void Write_SameResponseObjectTwice_WritesItAgainFromTheKeptJson()
    {
        using var events = new ResponseEventWriter();
        var created = new ResponseCreatedEvent { SequenceNumber = 0, Response = Pending };
        var inProgress = new ResponseInProgressEvent { SequenceNumber = 1, Response = Pending };
        var other = new ResponseInProgressEvent { SequenceNumber = 2, Response = Pending with { Id = "resp_2" } };

        Assert.Equal(Serialized(created), Written(events, created));
        Assert.Equal(Serialized(inProgress), Written(events, inProgress));
        Assert.Equal(Serialized(other), Written(events, other));
        events.Release();
        Assert.Equal(Serialized(inProgress), Written(events, inProgress));
    }

    [Fact]
    public void Write_ManyEventsOnOneWriter_EachBytesEqualTheSerializers()
    {
        using var events = new ResponseEventWriter();
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer, ProtocolJsonContext.WireWriterOptions);
        foreach (var e in Events().Values)
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            events.Write(writer, e);
            writer.Flush();

            Assert.Equal(Serialized(e), Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
    }

    private static string Serialized(ResponseEvent e) => JsonSerializer.Serialize(e, ProtocolJsonContext.Wire.ResponseEvent);

    private static string Written(ResponseEventWriter events, ResponseEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, ProtocolJsonContext.WireWriterOptions))
        {
            events.Write(writer, e);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
