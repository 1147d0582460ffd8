using Loopwire.Engine.Context;
using Loopwire.Engine.Rendering;
using Loopwire.Protocol.Items;

namespace Loopwire.Engine.Tests.Context;

public sealed class ModelViewTests
{
    private static readonly O200kTokenRenderer Renderer = EngineTestKit.Renderer;

    [Fact]
    public void Build_NothingHiddenAndFits_ReturnsTheStateItself()
    {
        var state = Rendered([User("hi"), Assistant("hello")]);
        var (view, error) = ModelView.Build(state, 10_000, truncate: false, "MaxContextTokens");
        Assert.Null(error);
        Assert.Same(state, view);
    }

    [Fact]
    public void Build_OverWindowTruncationDisabled_ContextLengthExceededNamingTheLimit()
    {
        var state = Rendered([User(Words(200)), Assistant(Words(200))]);
        var (view, error) = ModelView.Build(state, 100, truncate: false, "the context window of 'm'");
        Assert.Null(view);
        Assert.Equal("context_length_exceeded", error!.Code);
        Assert.Contains("the limit is 100 (the context window of 'm')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_TruncationAuto_DropsOldestKeepsDeveloperAndNeverSplitsACallFromItsOutput()
    {
        var items = new List<ResponseItem>
        {
            new MessageItem { Role = "developer", Content = MessageContent.FromText("Keep it short.") },
            User(Words(120)),
            Call("c1"),
            Output("c1", Words(150)),
            Call("c2"),
            Assistant(Words(20)),
            Output("c2", Words(30)),
            User("last question"),
        };
        var state = Rendered(items);
        int keepTail = Renderer.RenderItem(items[^1]).Length + Renderer.RenderItem(items[0]).Length;
        var (view, error) = ModelView.Build(state, keepTail + 200, truncate: true, "w");

        Assert.Null(error);
        var kept = view!.Items;
        Assert.Equal("developer", Assert.IsType<MessageItem>(kept[0]).Role);
        Assert.Equal("last question", Assert.IsType<MessageItem>(kept[^1]).Content.Text);
        Assert.True(view.Rendered!.TotalTokens <= keepTail + 200);
        var calls = kept.OfType<FunctionCallItem>().Select(c => c.CallId).ToHashSet();
        Assert.All(kept.OfType<FunctionCallOutputItem>(), o => Assert.Contains(o.CallId, calls));
        Assert.DoesNotContain(kept, i => i is FunctionCallItem { CallId: "c1" });
        Assert.Equal(view.Rendered.Header.Length + kept.Sum(i => Renderer.RenderItem(i).Length), view.Rendered.TotalTokens);
        Assert.Equal(items.Count, state.Items.Count);
    }

    [Fact]
    public void Build_TruncationAutoStillTooLarge_Error()
    {
        var state = Rendered([User(Words(400))]);
        var (_, error) = ModelView.Build(state, 50, truncate: true, "w");
        Assert.Contains("even after truncation", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_Compaction_SupersedesEverythingBeforeItButUserMessages()
    {
        var compaction = new CompactionItem { EncryptedContent = "x", Opened = "summary of the work" };
        var state = Rendered(
        [
            User("task"), Call("c1"), Output("c1", Words(100)), Assistant(Words(50)), compaction, Assistant("after"), User("next"),
            new CompactionTriggerItem(),
        ]);
        var (view, error) = ModelView.Build(state, 100_000, truncate: false, "w");
        Assert.Null(error);
        Assert.Equal(["message", "compaction", "message", "message"], view!.Items.Select(i => i.Type));
        Assert.Equal("task", ((MessageItem)view.Items[0]).Content.Text);
    }

    [Fact]
    public void Build_CompactionAddedThenUndone_HidesWhileItIsThereAndNotAfter()
    {
        var state = Rendered([User("task"), Assistant(Words(50))]);
        var before = state.Save();
        foreach (var item in new ResponseItem[] { new CompactionItem { EncryptedContent = "x", Opened = "summary" }, User("next") })
        {
            state.Add(item);
            state.Rendered!.Append(Renderer.RenderItem(item));
        }

        var (compacted, _) = ModelView.Build(state, 100_000, truncate: false, "w");
        Assert.NotSame(state, compacted);
        Assert.Equal(["message", "compaction", "message"], compacted!.Items.Select(i => i.Type));

        state.Restore(before);
        var (view, error) = ModelView.Build(state, 100_000, truncate: false, "w");
        Assert.Null(error);
        Assert.Same(state, view);
    }

    private static ConversationState Rendered(List<ResponseItem> items)
    {
        var state = new ConversationState(items) { Rendered = new RenderedContext(Renderer.RenderHeader("Be helpful.", null)) };
        foreach (var item in items)
        {
            state.Rendered.Append(Renderer.RenderItem(item));
        }

        return state;
    }

    private static MessageItem User(string text) => new() { Role = "user", Content = MessageContent.FromText(text) };

    private static MessageItem Assistant(string text) => new() { Role = "assistant", Content = MessageContent.FromText(text) };

    private static FunctionCallItem Call(string id) => new() { CallId = id, Name = "read_file", Arguments = """{"path":"a.py"}""" };

    private static FunctionCallOutputItem Output(string id, string text) => new() { CallId = id, Output = MessageContent.FromText(text) };

    private static string Words(int n) => string.Join(' ', Enumerable.Range(0, n).Select(i => "word" + (i % 7)));
}
