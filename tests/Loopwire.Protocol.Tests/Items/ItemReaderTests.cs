using System.Text.Json;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Serialization;

namespace Loopwire.Protocol.Tests.Items;

public sealed class ItemReaderTests
{
    private static ResponseItem Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return ItemReader.ReadItem(doc.RootElement);
    }

    private static ProtocolError ReadItemsError(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Assert.Throws<ProtocolException>(() => ItemReader.ReadItems(doc.RootElement)).Error;
    }

    [Fact]
    public void ReadItem_MissingCallId_ParamRelativeToItem()
    {
        var ex = Assert.Throws<ProtocolException>(() => Read("""{"type":"function_call_output","output":"x"}"""));

        Assert.Equal((400, "missing_required_parameter", "call_id"), (ex.Error.Status, ex.Error.Code, ex.Error.Param));
    }

    [Fact]
    public void ReadItems_ErrorInThirdItem_PrefixedWithIndex()
    {
        var error = ReadItemsError("""[{"role":"user","content":"a"},{"role":"user","content":"b"},{"type":"function_call","call_id":"c","name":"f"}]""");

        Assert.Equal(("missing_required_parameter", "[2].arguments"), (error.Code, error.Param));
        Assert.Contains("'[2].arguments'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadItems_NotAnArray_InvalidType()
    {
        var error = ReadItemsError("""{"role":"user","content":"a"}""");

        Assert.Equal("invalid_type", error.Code);
    }

    [Fact]
    public void ReadItem_NoTypeButRole_IsMessage()
    {
        var item = Assert.IsType<MessageItem>(Read("""{"role":"developer","content":"Be terse."}"""));

        Assert.Equal("message", item.Type);
        Assert.Equal("Be terse.", item.Content.Text);
        Assert.Null(item.Extra);
    }

    [Theory]
    [InlineData("""{"id":"msg_1"}""")]
    [InlineData("""{"type":null,"id":"msg_1"}""")]
    public void ReadItem_IdWithoutType_IsItemReference(string json)
    {
        // openai-node ResponseInputItem.ItemReference: { id: string; type?: 'item_reference' | null }.
        var item = Assert.IsType<ItemReferenceItem>(Read(json));

        Assert.Equal("msg_1", item.Id);
        Assert.Equal("""{"type":"item_reference","id":"msg_1"}""", JsonSerializer.Serialize<ResponseItem>(item, ProtocolJsonContext.Wire.ResponseItem));
    }

    [Theory]
    [InlineData("web_search_call")]
    [InlineData("local_shell_call")]
    [InlineData("program")]
    [InlineData("mcp_call")]
    public void ReadItem_KnownOpaqueType_KeptVerbatim(string type)
    {
        var item = Assert.IsType<OpaqueItem>(Read($$$"""{"type":"{{{type}}}","id":"x_1","status":"completed","payload":{"k":[1,"two"]}}"""));

        Assert.Equal(type, item.Type);
        Assert.Equal("x_1", item.Id);
        Assert.Equal("completed", item.Status);
        Assert.Equal("""{"k":[1,"two"]}""", item.Extra?["payload"].GetRawText());
    }

    [Fact]
    public void ReadItem_ReasoningWithoutSummary_EmptySummaryWrittenBack()
    {
        var item = Assert.IsType<ReasoningItem>(Read("""{"type":"reasoning","id":"rs_1","encrypted_content":"e"}"""));

        Assert.Empty(item.Summary);
        string json = JsonSerializer.Serialize<ResponseItem>(item, ProtocolJsonContext.Wire.ResponseItem);
        Assert.Contains("\"summary\":[]", json, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadItem_FunctionCallOutputWithParts_KeepsParts()
    {
        var item = Assert.IsType<FunctionCallOutputItem>(Read(
            """{"type":"function_call_output","call_id":"c","output":[{"type":"input_text","text":"a"},{"type":"input_text","text":"b"}]}"""));

        Assert.Null(item.Output.Text);
        Assert.Equal("a\nb", item.Output.JoinedText());
    }

    [Fact]
    public void ReadPart_InputFileWithoutFields_Accepted()
    {
        using var doc = JsonDocument.Parse("""{"type":"input_file","file_id":"file-1","filename":"a.pdf"}""");

        var part = ItemReader.ReadPart(doc.RootElement);

        Assert.Equal("file-1", part.FileId);
        Assert.Equal("a.pdf", part.Extra?["filename"].GetString());
    }

    [Fact]
    public void ReadPart_OutputTextAnnotations_Cloned()
    {
        ContentPart part;
        using (var doc = JsonDocument.Parse("""{"type":"output_text","text":"t","annotations":[{"type":"url_citation","url":"https://x"}],"logprobs":[]}"""))
        {
            part = ItemReader.ReadPart(doc.RootElement);
        }

        // The document is disposed; the part must not refer to its memory.
        Assert.Equal("url_citation", Assert.Single(part.Annotations!).GetProperty("type").GetString());
        Assert.Empty(part.Logprobs!);
    }

    [Theory]
    [InlineData("text", "a", "a")]
    [InlineData("parts0", "", "")]
    [InlineData("parts1", "x", "x")]
    public void JoinedText_VariousShapes_ReturnsText(string shape, string text, string expected)
    {
        var content = shape switch
        {
            "text" => MessageContent.FromText(text),
            "parts0" => MessageContent.FromParts([]),
            _ => MessageContent.FromParts([ContentPart.InputText(text)]),
        };

        Assert.Equal(expected, content.JoinedText());
    }

    [Fact]
    public void JoinedText_RefusalAndImageParts_JoinsTextBearingParts()
    {
        var content = MessageContent.FromParts(
        [
            ContentPart.OutputText("one"),
            new ContentPart { Type = "input_image", ImageUrl = "https://x/a.png" },
            new ContentPart { Type = "refusal", Refusal = "no" },
        ]);

        Assert.Equal("one\nno", content.JoinedText());
    }
}
