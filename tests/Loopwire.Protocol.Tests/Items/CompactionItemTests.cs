using System.Text.Json;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Validation;

namespace Loopwire.Protocol.Tests.Items;

public sealed class CompactionItemTests
{
    private static ResponseItem Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return ItemReader.ReadItem(doc.RootElement);
    }

    private static string Write(ResponseItem item) => JsonSerializer.Serialize(item, ProtocolJsonContext.Wire.ResponseItem);

    [Fact]
    public void Compaction_RoundTrip_KeepsEncryptedContentAndUnknownFieldsAndNeverWritesTheOpenedText()
    {
        var item = Assert.IsType<CompactionItem>(Read("""{"type":"compaction","id":"cmp_1","encrypted_content":"abc","created_by":"m","x":1}"""));
        Assert.Equal("abc", item.EncryptedContent);
        string json = Write(item with { Opened = "secret" });
        Assert.Equal("""{"type":"compaction","id":"cmp_1","encrypted_content":"abc","created_by":"m","x":1}""", json);
    }

    [Fact]
    public void Compaction_MissingEncryptedContent_NamesIt()
    {
        var ex = Assert.Throws<Loopwire.Protocol.Errors.ProtocolException>(() => Read("""{"type":"compaction"}"""));
        Assert.Equal("encrypted_content", ex.Error.Param);
    }

    [Fact]
    public void CompactionTrigger_ReadAndWritten()
    {
        Assert.IsType<CompactionTriggerItem>(Read("""{"type":"compaction_trigger"}"""));
        Assert.Equal("""{"type":"compaction_trigger"}""", Write(new CompactionTriggerItem()));
    }

    [Theory]
    [InlineData("""{"type":"program","id":"p1","call_id":"c","code":"print(1)"}""")]
    [InlineData("""{"type":"program_output","call_id":"c","output":"1"}""")]
    [InlineData("""{"type":"additional_tools","tools":[{"type":"function","name":"ls"}]}""")]
    public void NewerItemTypes_KeptVerbatim(string json)
    {
        var item = Assert.IsType<OpaqueItem>(Read(json));
        Assert.Equal(json, Write(item));
    }

    [Fact]
    public void Validate_TriggerNotLast_NamesTheItem()
    {
        var error = RequestReader.TryParse("""{"model":"m","input":[{"type":"compaction_trigger"},{"role":"user","content":"x"}]}"""u8, out _);
        Assert.Equal("input[0]", error!.Param);
    }

    [Fact]
    public void Validate_ContextManagement_ParsedAndChecked()
    {
        Assert.Null(RequestReader.TryParse("""{"model":"m","input":"x","context_management":[{"type":"compaction","compact_threshold":1000}]}"""u8,
            out CreateResponseRequest? request));
        Assert.Equal(1000, Assert.Single(request!.ContextManagement!).CompactThreshold);
        var error = RequestReader.TryParse("""{"model":"m","input":"x","context_management":[{"type":"other"}]}"""u8, out _);
        Assert.Equal("context_management[0].type", error!.Param);
    }
}
