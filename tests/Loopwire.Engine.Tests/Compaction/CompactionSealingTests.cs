using System.Text;
using Loopwire.Engine.Compaction;
using Loopwire.Protocol.Items;
using Loopwire.Simulation;

namespace Loopwire.Engine.Tests.Compaction;

public sealed class CompactionSealingTests
{
    [Fact]
    public void AesGcmSealer_RoundTrip_OpensWhatItSealed()
    {
        var sealer = new AesGcmCompactionSealer();
        string sealedText = sealer.Seal("secret summary"u8);
        Assert.DoesNotContain("secret", sealedText, StringComparison.Ordinal);
        Assert.Equal(SealOpenStatus.Opened, sealer.Open(sealedText, out var plain));
        Assert.Equal("secret summary", Encoding.UTF8.GetString(plain!));
    }

    [Fact]
    public void AesGcmSealer_EveryOneCharacterEdit_IsRefused()
    {
        var sealer = new AesGcmCompactionSealer();
        string sealedText = sealer.Seal("secret summary"u8);
        for (int i = 0; i < sealedText.Length; i++)
        {
            string edited = sealedText[..i] + (sealedText[i] == 'A' ? 'B' : 'A') + sealedText[(i + 1)..];
            Assert.NotEqual(SealOpenStatus.Opened, sealer.Open(edited, out _));
        }
    }

    [Fact]
    public void AesGcmSealer_OtherKey_KeyUnavailable()
    {
        string sealedText = new AesGcmCompactionSealer().Seal("x"u8);
        Assert.Equal(SealOpenStatus.KeyUnavailable, new AesGcmCompactionSealer().Open(sealedText, out _));
    }

    [Fact]
    public void Envelope_SealThenOpen_RecoversTheTextAndEditsAreInvalidEncryptedContent()
    {
        var sealer = new AesGcmCompactionSealer();
        var item = CompactionEnvelope.Seal(sealer, "compacted", "sim-instant");
        var (opened, error) = CompactionEnvelope.Open(sealer, item with { Opened = null });
        Assert.Null(error);
        Assert.Equal("compacted", opened!.Opened);

        var (_, bad) = CompactionEnvelope.Open(sealer, new CompactionItem { EncryptedContent = item.EncryptedContent[..^2] });
        Assert.Equal("invalid_encrypted_content", bad!.Code);
        Assert.Equal("encrypted_content", bad.Param);
        var (_, other) = CompactionEnvelope.Open(new AesGcmCompactionSealer(), item with { Opened = null });
        Assert.Equal("encryption_key_unavailable", other!.Code);
    }

    [Fact]
    public void SimulatedCompaction_KeepsCallsAndAssistantTextDropsReasoningAndIsDeterministic()
    {
        List<ResponseItem> items =
        [
            new MessageItem { Role = "user", Content = MessageContent.FromText("fix it") },
            new ReasoningItem { Summary = [new ContentPart { Type = "summary_text", Text = "thinking" }] },
            new FunctionCallItem { CallId = "c1", Name = "read_file", Arguments = """{"path":"calc.py"}""" },
            new FunctionCallOutputItem { CallId = "c1", Output = MessageContent.FromText("def add(a, b): return a - b") },
            new MessageItem { Role = "assistant", Content = MessageContent.FromText("add subtracts") },
        ];
        string summary = SimulatedCompaction.Summarize(items);
        Assert.Equal(summary, SimulatedCompaction.Summarize(items));
        Assert.Contains("""read_file({"path":"calc.py"}) -> def add(a, b): return a - b""", summary, StringComparison.Ordinal);
        Assert.Contains("assistant: add subtracts", summary, StringComparison.Ordinal);
        Assert.Contains("1 reasoning items dropped", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("thinking", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("fix it", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void SimulatedCompaction_LongHistory_StaysUnderTheCap()
    {
        var items = new List<ResponseItem>();
        for (int i = 0; i < 500; i++)
        {
            items.Add(new FunctionCallItem { CallId = $"c{i}", Name = "grep", Arguments = new string('x', 300) });
            items.Add(new FunctionCallOutputItem { CallId = $"c{i}", Output = MessageContent.FromText(new string('y', 300)) });
        }

        string summary = SimulatedCompaction.Summarize(items);
        Assert.True(summary.Length <= SimulatedCompaction.MaxSummaryChars + 200, $"{summary.Length}");
        Assert.Contains("older steps omitted", summary, StringComparison.Ordinal);
    }
}
