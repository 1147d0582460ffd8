namespace Loopwire.Engine.Tests;

public sealed class IdsTests
{
    [Fact]
    public void NewResponseId_Always_IsRespAnd48LowerHexChars()
    {
        string id = Ids.NewResponseId();

        Assert.Matches("^resp_[0-9a-f]{48}$", id);
    }

    [Fact]
    public void NewItemId_Prefix_IsPrefixUnderscoreAnd48LowerHexChars()
    {
        Assert.Matches("^msg_[0-9a-f]{48}$", Ids.NewItemId("msg"));
        Assert.Matches("^fc_[0-9a-f]{48}$", Ids.NewItemId(Ids.PrefixFor("function_call")));
    }

    [Fact]
    public void NewIds_ManyAcrossRandomBlocks_AreAllDistinct()
    {
        // Several times the random block (1,024 bytes = 42 ids), on two threads: no byte is handed out twice.
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 2, _ =>
        {
            for (int i = 0; i < 500; i++)
            {
                ids.Add(Ids.NewResponseId());
            }
        });

        Assert.Equal(1000, ids.Distinct().Count());
    }
}
