using Loopwire.Engine.Rendering;

namespace Loopwire.Engine.Tests.Rendering;

public sealed class RenderedContextTests
{
    [Fact]
    public void Append_SameTokensDifferentSplits_SameHashes()
    {
        var tokens = Enumerable.Range(0, 1000).ToArray();
        var a = new RenderedContext([]);
        a.Append(tokens);
        var b = new RenderedContext([]);
        b.Append(tokens[..10]);
        b.Append(tokens[10..700]);
        b.Append(tokens[700..]);

        Assert.Equal(a.BlockHashes, b.BlockHashes);
        Assert.Equal(a.ContextHash(), b.ContextHash());
        Assert.Equal(1000 / RenderedContext.BlockSize, a.BlockHashes.Count);
    }

    [Fact]
    public void ContextHash_DifferentTail_Differs()
    {
        var a = new RenderedContext([1, 2, 3]);
        var b = new RenderedContext([1, 2, 4]);

        Assert.NotEqual(a.ContextHash(), b.ContextHash());
    }

    [Fact]
    public void WithHeader_NewHeader_KeepsItemsChangesHashes()
    {
        var a = new RenderedContext(Enumerable.Range(0, 100).ToArray());
        a.Append(Enumerable.Range(0, 200).ToArray());
        var b = a.WithHeader([7, 7, 7]);

        Assert.Same(a.Items[0], b.Items[0]);
        Assert.Equal(203, b.TotalTokens);
        Assert.NotEqual(a.BlockHashes[0], b.BlockHashes[0]);
    }

    [Fact]
    public void RenderItem_SameItem_SameTokens()
    {
        var r = new O200kTokenRenderer();
        var item = Engine.Tests.EngineTestKit.User("hello world");

        Assert.Equal(r.RenderItem(item), r.RenderItem(item));
        Assert.NotEmpty(r.RenderItem(item));
    }

    [Fact]
    public async Task RenderItem_OneHugeWord_IsCutIntoPiecesAndFinishes()
    {
        var r = new O200kTokenRenderer();
        var item = Engine.Tests.EngineTestKit.User(new string('a', 1024 * 1024));

        // Whole, this word takes minutes (BPE is quadratic in a pre-token's length); cut, it is linear. The wait only guards a hang.
        var tokens = await Task.Run(() => r.RenderItem(item)).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.InRange(tokens.Length, 1024 * 1024 / 64, 1024 * 1024);
    }

    [Fact]
    public void RenderItem_NormalText_IsNotCut()
    {
        var r = new O200kTokenRenderer();
        string text = string.Join(' ', Enumerable.Repeat("ordinary words of text", 2000));

        Assert.Equal(r.CountTokens("<|start|>user\n" + text + "<|end|>\n"), r.RenderItem(Engine.Tests.EngineTestKit.User(text)).Length);
    }
}
