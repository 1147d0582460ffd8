namespace Loopwire.Engine.Tests;

/// <summary>The pooled text an output item's deltas are collected in.</summary>
public sealed class PooledTextTests
{
    [Fact]
    public void Append_ManyPiecesPastSeveralGrowths_IsTheirConcatenation()
    {
        var text = new PooledText();
        var pieces = Enumerable.Range(0, 500).Select(i => i % 7 == 0 ? "" : $" piece{i} é 🙂").ToList();

        foreach (var p in pieces)
        {
            text.Append(p);
        }

        Assert.Equal(string.Concat(pieces), text.ToString());
        Assert.Equal(string.Concat(pieces).Length, text.Length);
    }

    [Fact]
    public void Clear_ThenAppend_StartsAfresh()
    {
        var text = new PooledText();
        text.Append(new string('x', 1000));

        text.Clear();

        Assert.Equal("", text.ToString());
        text.Append("again");
        Assert.Equal("again", text.ToString());
    }
}
