using System.Buffers;
using System.Text;
using System.Text.Json;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Protocol.Tests.Streaming;

/// <summary>The delta encoder writes exactly the serializer's bytes, or declines and writes nothing.</summary>
public sealed class DeltaEventEncoderTests
{
    public static TheoryData<string> Texts() =>
    [
        " token",
        "",
        "x",
        "a \"quoted\" word",
        "back\\slash",
        "line\nbreak\ttab\u0001",
        "é – 日本 😀",
        "<b>&amp;</b> 'single' +plus",
        "\u007f del",
        "lone \ud800 surrogate",
        "trailing \udc00",
        new string('w', 5000) + " é",
        new string('"', 3000) + " \n quotes that grow the buffer",
        new string('x', 20_000) + " longer than the direct way takes",
    ];

    [Theory]
    [MemberData(nameof(Texts))]
    public void TryWrite_AnyText_WritesTheSerializersBytesOrDeclines(string text)
    {
        using var encoder = new DeltaEventEncoder(new ResponseEventWriter());
        ResponseEvent[] events =
        [
            new OutputTextDeltaEvent { SequenceNumber = 4, ItemId = "msg_1", OutputIndex = 2, ContentIndex = 1, Delta = text },
            new FunctionCallArgumentsDeltaEvent { SequenceNumber = 17, ItemId = "fc_1", OutputIndex = 0, Delta = text, StreamId = "lane \"b\"" },
            new ReasoningSummaryTextDeltaEvent { SequenceNumber = 123456, ItemId = "rs_1", OutputIndex = 3, SummaryIndex = 2, Delta = text },
        ];
        bool valid = System.Text.Unicode.Utf8.FromUtf16(text, new byte[text.Length * 3], out _, out _, replaceInvalidSequences: false)
            == System.Buffers.OperationStatus.Done && text.Length <= 16 * 1024;
        foreach (var e in events)
        {
            var buffer = new ArrayBufferWriter<byte>();
            bool written = encoder.TryWrite(buffer, e);

            // Only invalid UTF-16 and very long deltas are left to the serializer; everything else, escapes included, is written here.
            Assert.Equal(valid, written);
            Assert.Equal(written ? Serialized(e) : "", Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
    }

    [Fact]
    public void TryWrite_PlainText_TakesTheDirectWay()
    {
        using var encoder = new DeltaEventEncoder(new ResponseEventWriter());
        var buffer = new ArrayBufferWriter<byte>();

        Assert.True(encoder.TryWrite(buffer, new OutputTextDeltaEvent { SequenceNumber = 4, ItemId = "msg_1", Delta = " plain words, digits 123 and é" }));
    }

    [Fact]
    public void TryWrite_JsonArguments_AreEscapedAsTheSerializerEscapesThem()
    {
        using var encoder = new DeltaEventEncoder(new ResponseEventWriter());
        var buffer = new ArrayBufferWriter<byte>();
        var e = new FunctionCallArgumentsDeltaEvent { SequenceNumber = 4, ItemId = "fc_1", Delta = "{\"path\":\"src\\a.cs\",\n" };

        Assert.True(encoder.TryWrite(buffer, e));
        Assert.Equal(Serialized(e), Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void TryWrite_IntoASmallPooledBufferWithEarlierFrames_GrowsAndKeepsWhatWasWritten()
    {
        using var encoder = new DeltaEventEncoder(new ResponseEventWriter());
        using var buffer = new Loopwire.Protocol.Wire.PooledBufferWriter(16);
        var first = new OutputTextDeltaEvent { SequenceNumber = 4, ItemId = "msg_1", Delta = " first" };
        var second = new OutputTextDeltaEvent { SequenceNumber = 5, ItemId = "msg_1", Delta = new string('\\', 2000) + "\"" };

        Assert.True(encoder.TryWrite(buffer, first));
        Assert.True(encoder.TryWrite(buffer, second));
        Assert.Equal(Serialized(first) + Serialized(second), Encoding.UTF8.GetString(buffer.WrittenMemory.Span));
    }

    [Fact]
    public void TryWrite_LoneSurrogate_Declines()
    {
        using var encoder = new DeltaEventEncoder(new ResponseEventWriter());
        var buffer = new ArrayBufferWriter<byte>();

        Assert.False(encoder.TryWrite(buffer, new OutputTextDeltaEvent { SequenceNumber = 4, ItemId = "msg_1", Delta = "a \ud800 b" }));
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void TryWrite_ItemsIndicesAndLanesChangeBetweenEvents_EachBytesEqualTheSerializers()
    {
        // One encoder throughout: each change of item, index, type or lane must rebuild the kept pieces, and each repeat reuse them.
        using var encoder = new DeltaEventEncoder(new ResponseEventWriter());
        ResponseEvent[] events =
        [
            new OutputTextDeltaEvent { SequenceNumber = 4, ItemId = "msg_1", Delta = " a" },
            new OutputTextDeltaEvent { SequenceNumber = 5, ItemId = "msg_1", Delta = " b" },
            new OutputTextDeltaEvent { SequenceNumber = 6, ItemId = "msg_1", Delta = " c", StreamId = "x" },
            new OutputTextDeltaEvent { SequenceNumber = 7, ItemId = "msg_1", Delta = " d", StreamId = "y" },
            new OutputTextDeltaEvent { SequenceNumber = 8, ItemId = "msg_1", Delta = " d2", StreamId = "y" },
            new OutputTextDeltaEvent { SequenceNumber = 9, ItemId = "msg_1", Delta = " d3" },
            new OutputTextDeltaEvent { SequenceNumber = 10, ItemId = "msg_1", ContentIndex = 1, Delta = " e" },
            new OutputTextDeltaEvent { SequenceNumber = 11, ItemId = "msg_2", OutputIndex = 1, ContentIndex = 1, Delta = " f" },
            new OutputTextDeltaEvent { SequenceNumber = 12, ItemId = "msg_2", OutputIndex = 2, ContentIndex = 1, Delta = " f2" },
            new ReasoningSummaryTextDeltaEvent { SequenceNumber = 13, ItemId = "msg_2", OutputIndex = 2, SummaryIndex = 1, Delta = " g" },
            new ReasoningSummaryTextDeltaEvent { SequenceNumber = 14, ItemId = "msg_2", OutputIndex = 2, SummaryIndex = 2, Delta = " g2" },
            new FunctionCallArgumentsDeltaEvent { SequenceNumber = 15, ItemId = "msg_2", OutputIndex = 2, Delta = "{\"a\":" },
            new FunctionCallArgumentsDeltaEvent { SequenceNumber = 16, ItemId = "msg_2", OutputIndex = 2, Delta = "12}" },
        ];
        foreach (var e in events)
        {
            var buffer = new ArrayBufferWriter<byte>();

            Assert.True(encoder.TryWrite(buffer, e));
            Assert.Equal(Serialized(e), Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
    }

    [Fact]
    public void TryWrite_AfterRelease_WritesTheSameBytes()
    {
        using var encoder = new DeltaEventEncoder(new ResponseEventWriter());
        var e = new OutputTextDeltaEvent { SequenceNumber = 4, ItemId = "msg_1", Delta = " a", StreamId = "x" };
        var first = new ArrayBufferWriter<byte>();
        var second = new ArrayBufferWriter<byte>();

        Assert.True(encoder.TryWrite(first, e));
        encoder.Release();
        Assert.True(encoder.TryWrite(second, e));
        Assert.Equal(Serialized(e), Encoding.UTF8.GetString(second.WrittenSpan));
    }

    [Fact]
    public void TryWrite_DeltaLongerThan16KCharacters_Declines()
    {
        using var encoder = new DeltaEventEncoder(new ResponseEventWriter());
        var buffer = new ArrayBufferWriter<byte>();

        Assert.False(encoder.TryWrite(buffer, new OutputTextDeltaEvent { SequenceNumber = 4, ItemId = "msg_1", Delta = new string('"', 16 * 1024 + 1) }));
        Assert.True(encoder.TryWrite(buffer, new OutputTextDeltaEvent { SequenceNumber = 4, ItemId = "msg_1", Delta = new string('"', 16 * 1024) }));
    }

    [Fact]
    public void TryWrite_NotADeltaOrUnknownFieldsOrLogprobs_Declines()
    {
        using var encoder = new DeltaEventEncoder(new ResponseEventWriter());
        var buffer = new ArrayBufferWriter<byte>();
        ResponseEvent[] events =
        [
            new OutputTextDoneEvent { SequenceNumber = 1, ItemId = "msg_1", Text = "x" },
            new OutputTextDeltaEvent { SequenceNumber = 1, ItemId = "msg_1", Delta = "x", Extra = new() { ["obfuscation"] = JsonDocument.Parse("\"a\"").RootElement } },
            new OutputTextDeltaEvent { SequenceNumber = 1, ItemId = "msg_1", Delta = "x", Logprobs = [JsonDocument.Parse("{}").RootElement] },
        ];

        Assert.All(events, e => Assert.False(encoder.TryWrite(buffer, e)));
        Assert.Equal(0, buffer.WrittenCount);
    }

    private static string Serialized(ResponseEvent e) => JsonSerializer.Serialize(e, ProtocolJsonContext.Wire.ResponseEvent);
}
