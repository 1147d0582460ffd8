using System.Text.Json;
using System.Text.Json.Nodes;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;
using static Loopwire.Protocol.Tests.WireJson;

namespace Loopwire.Protocol.Tests.Serialization;

public sealed class ConvertersTests
{
    [Fact]
    public void Serialize_OutputTextFactory_WritesEmptyAnnotationsAndLogprobs()
    {
        var item = new MessageItem
        {
            Id = "msg_1",
            Status = "completed",
            Role = "assistant",
            Content = MessageContent.FromParts([ContentPart.OutputText("Hi")]),
        };

        string json = JsonSerializer.Serialize<ResponseItem>(item, ProtocolJsonContext.Wire.ResponseItem);

        AssertJsonEqual(
            JsonNode.Parse("""{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi","annotations":[],"logprobs":[]}]}"""),
            JsonNode.Parse(json));
        Assert.Equal(["type", "id"], PropertyNames(json).Take(2));
    }

    [Fact]
    public void Serialize_OpaqueItem_WritesItsOwnType()
    {
        var item = new OpaqueItem("compaction") { Id = "cmp_1", Extra = new() { ["encrypted_content"] = JsonSerializer.SerializeToElement("zz") } };

        string json = JsonSerializer.Serialize<ResponseItem>(item, ProtocolJsonContext.Wire.ResponseItem);

        AssertJsonEqual(JsonNode.Parse("""{"type":"compaction","id":"cmp_1","encrypted_content":"zz"}"""), JsonNode.Parse(json));
        Assert.DoesNotContain("item_type", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_ItemList_ReadsThroughItemReader()
    {
        var items = JsonSerializer.Deserialize(
            """[{"role":"user","content":"hi"},{"type":"item_reference","id":"msg_1"}]""",
            ProtocolJsonContext.Wire.ListResponseItem)!;

        Assert.IsType<MessageItem>(items[0]);
        Assert.Equal("msg_1", Assert.IsType<ItemReferenceItem>(items[1]).Id);
    }

    [Fact]
    public void Deserialize_InvalidItem_ThrowsProtocolException()
    {
        var ex = Assert.Throws<ProtocolException>(() =>
            JsonSerializer.Deserialize("""{"type":"message","content":"hi"}""", ProtocolJsonContext.Wire.ResponseItem));

        Assert.Equal("role", ex.Error.Param);
    }

    [Fact]
    public void Serialize_Request_InputWrittenAsItemArray()
    {
        var request = new CreateResponseRequest
        {
            Model = "m",
            Input = [new MessageItem { Role = "user", Content = MessageContent.FromText("hi") }],
            Store = false,
        };

        var json = JsonNode.Parse(JsonSerializer.Serialize(request, ProtocolJsonContext.Wire.CreateResponseRequest))!;

        AssertJsonEqual(JsonNode.Parse("""[{"type":"message","role":"user","content":"hi"}]"""), json["input"]);
        Assert.False(json.AsObject().ContainsKey("store_or_default"));
        Assert.False(json["store"]!.GetValue<bool>());
    }

    [Fact]
    public void Default_QuoteInText_EscapedAsUnicode()
    {
        var item = new FunctionCallItem { CallId = "c", Name = "f", Arguments = """{"a":"é"}""" };

        string wire = JsonSerializer.Serialize<ResponseItem>(item, ProtocolJsonContext.Wire.ResponseItem);
        string escaped = JsonSerializer.Serialize<ResponseItem>(item, ProtocolJsonContext.Default.ResponseItem);

        Assert.Contains("""{\"a\":\"é\"}""", wire, StringComparison.Ordinal);
        Assert.Contains("\\u0022", escaped, StringComparison.Ordinal);
        AssertJsonEqual(JsonNode.Parse(wire), JsonNode.Parse(escaped));
    }

    [Fact]
    public void Wire_SameInstanceEachTime()
    {
        Assert.Same(ProtocolJsonContext.Wire, ProtocolJsonContext.Wire);
        Assert.Same(ProtocolJsonContext.WireWriterOptions.Encoder, ProtocolJsonContext.Wire.Options.Encoder);
    }
}
