using Loopwire.Engine.Rendering;
using Loopwire.Protocol.Items;

namespace Loopwire.Engine.Tests.Rendering;

public sealed class TokenRendererTests
{
    [Theory]
    [InlineData("user", "Fix the failing test in parser.py, please.")]
    [InlineData("assistant", "Done. The tool returned: def parse(self):\n    return None. Next I will read the file and then edit it, because the test says so.")]
    [InlineData("developer", " leading space, trailing newline\n")]
    public void RenderItem_Message_IsItsOpeningLineThenItsContentsCountedTokensThenItsClosingLine(string role, string text)
    {
        var renderer = new O200kTokenRenderer();
        var message = new MessageItem { Role = role, Content = MessageContent.FromText(text) };
        var empty = renderer.RenderItem(new MessageItem { Role = role, Content = MessageContent.FromText(string.Empty) });

        var tokens = renderer.RenderItem(message);

        // The content's tokens are exactly what CountTokens reports: the output the model was billed for is what the next turn sees.
        Assert.Equal(empty.Length + renderer.CountTokens(text), tokens.Length);
        var fresh = new O200kTokenRenderer();
        Assert.Equal(fresh.RenderItem(message), tokens);
    }

    [Fact]
    public void CountTokensAndRenderItem_ManyTextsRepeatedInAnyOrder_SameAsAFreshRendererEachTime()
    {
        // The recent-encodings memo is a cache: hits, misses and slot collisions must all give the tokenizer's answer.
        var renderer = new O200kTokenRenderer();
        var rng = new Random(7);
        string[] words = ["model", "token", "stream", "the", "cache", ".", ",", "\n", "é", "日本", "🙂", "call_42"];
        var texts = Enumerable.Range(0, 400)
            .Select(_ => string.Join(' ', Enumerable.Range(0, 10 + rng.Next(300)).Select(_ => words[rng.Next(words.Length)])))
            .ToList();
        var expected = texts.Select(t => new O200kTokenRenderer().CountTokens(t)).ToList();

        for (int i = 0; i < 3000; i++)
        {
            int k = rng.Next(texts.Count);
            // A copy, not the same instance: the memo must compare the text, not the reference.
            string text = new(texts[k].AsSpan());
            Assert.Equal(expected[k], renderer.CountTokens(text));
            if (i % 5 == 0)
            {
                var message = new MessageItem { Role = "assistant", Content = MessageContent.FromText(text) };
                Assert.Equal(new O200kTokenRenderer().RenderItem(message), renderer.RenderItem(message));
            }
        }
    }

    public static TheoryData<string> Contents() => ["string", "one part", "one refusal part", "two parts", "image and text", "no parts"];

    private static MessageContent ContentOf(string name) => name switch
    {
        "string" => MessageContent.FromText("plain text"),
        "one part" => MessageContent.FromParts([ContentPart.OutputText("the answer, é 🙂")]),
        "one refusal part" => MessageContent.FromParts([new ContentPart { Type = "refusal", Refusal = "no" }]),
        "two parts" => MessageContent.FromParts([ContentPart.OutputText("a"), ContentPart.OutputText("b")]),
        "image and text" => MessageContent.FromParts([new ContentPart { Type = "input_image", ImageUrl = "x" }, ContentPart.OutputText("see")]),
        _ => MessageContent.FromParts([]),
    };

    [Theory]
    [MemberData(nameof(Contents))]
    public void ItemKey_Message_IsTheHashOfItsTemplateText(string content)
    {
        var renderer = new O200kTokenRenderer();
        var message = new MessageItem { Role = "assistant", Content = ContentOf(content) };
        string text = O200kTokenRenderer.RenderText(message);

        Assert.Equal(System.IO.Hashing.XxHash128.HashToUInt128(System.Runtime.InteropServices.MemoryMarshal.AsBytes(text.AsSpan())), renderer.ItemKey(message));
        Assert.NotEqual(renderer.ItemKey(message with { Role = "user" }), renderer.ItemKey(message));
    }

    [Fact]
    public void ItemKey_MessageWithoutRole_IsTheHashOfItsTemplateText()
    {
        // "role": null reaches the record through the serializer even though the property is required.
        var message = new MessageItem { Role = null!, Content = MessageContent.FromText("x") };

        Assert.Equal(System.IO.Hashing.XxHash128.HashToUInt128(System.Runtime.InteropServices.MemoryMarshal.AsBytes(O200kTokenRenderer.RenderText(message).AsSpan())),
            new O200kTokenRenderer().ItemKey(message));
    }

    [Fact]
    public void RenderText_OnePartMessage_IsItsTextInTheTemplate()
    {
        var message = new MessageItem { Role = "user", Content = MessageContent.FromParts([ContentPart.OutputText("hi")]) };

        Assert.Equal("<|start|>user\nhi<|end|>\n", O200kTokenRenderer.RenderText(message));
    }
}
