using Loopwire.Engine.Context;
using Loopwire.Engine.Rendering;
using Loopwire.Protocol.Items;

namespace Loopwire.Engine.Tests.Context.PrefixReuse;

public sealed class ConversationCheckpointTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(3, 5)]
    [InlineData(7, 1)]
    public void Restore_AfterAppending_EqualsTheStateBefore(int before, int appended)
    {
        var rng = new Random(before * 31 + appended);
        var renderer = EngineTestKit.Renderer;
        var state = new ConversationState { ResponseId = "resp_before" };
        state.Rendered = new RenderedContext(renderer.RenderHeader("Be brief.", null));
        for (int i = 0; i < before; i++)
        {
            var item = EngineTestKit.User(string.Join(' ', Enumerable.Range(0, rng.Next(5, 90)).Select(j => "x" + rng.Next(999))));
            renderer.AppendItem(state, state.Rendered, item);
            state.Add(item);
        }

        ulong hash = state.Rendered.ContextHash();
        var blocks = state.Rendered.BlockHashes.ToList();
        long bytes = state.ApproximateBytes;
        var checkpoint = state.Save();

        for (int i = 0; i < appended; i++)
        {
            var call = new FunctionCallItem { CallId = "call_" + i, Name = "f", Arguments = string.Join(' ', Enumerable.Repeat("arg", 70)) };
            renderer.AppendItem(state, state.Rendered, call);
            state.Add(call);
        }

        state.ResponseId = "resp_after";
        state.Restore(checkpoint);

        Assert.Equal("resp_before", state.ResponseId);
        Assert.Equal(before, state.Items.Count);
        Assert.Equal(before, state.Rendered.Items.Count);
        Assert.Equal(hash, state.Rendered.ContextHash());
        Assert.Equal(blocks, state.Rendered.BlockHashes);
        Assert.Equal(bytes, state.ApproximateBytes);
        Assert.False(state.HasCall("call_0"));

        // Appending after a restore hashes on exactly as a fresh render does.
        var next = EngineTestKit.User(string.Join(' ', Enumerable.Repeat("more", 100)));
        renderer.AppendItem(state, state.Rendered, next);
        var fresh = new RenderedContext(state.Rendered.Header);
        foreach (var t in state.Rendered.Items)
        {
            fresh.Append(t);
        }

        Assert.Equal(fresh.ContextHash(), state.Rendered.ContextHash());
        Assert.Equal(fresh.BlockHashes, state.Rendered.BlockHashes);
    }

    [Fact]
    public async Task ConnectionSource_CancelledTurn_KeepsThePreviousResponse()
    {
        var kit = new EngineTestKit();
        var source = new ConnectionContextSource(kit.Store, null, long.MaxValue);
        var request = new Protocol.Requests.CreateResponseRequest { Model = "sim-instant", Store = false, Input = [EngineTestKit.User("Hi.")] };
        var (p1, _) = await kit.RunAsync(request, source);
        int items = p1.State.Items.Count;

        // A continuation is prepared (its input appended), then the client goes away before it ends.
        var timings = new TurnTimings { Transport = "ws" };
        var next = await kit.Engine.PrepareAsync(request with { PreviousResponseId = p1.Id }, source, timings);
        Assert.Null(next.Error);
        Assert.Equal(items + 1, p1.State.Items.Count);
        source.OnCancelled(p1.Id);

        Assert.Equal(p1.Id, source.CachedResponseId);
        Assert.Equal(items, p1.State.Items.Count);

        // A turn cut off without a cancel callback is undone when the connection's cache is detached.
        await kit.Engine.PrepareAsync(request with { PreviousResponseId = p1.Id }, source, new TurnTimings { Transport = "ws" });
        var detached = source.Detach();
        Assert.Same(p1.State, detached);
        Assert.Equal(items, detached!.Items.Count);
        Assert.Null(source.CachedResponseId);
    }
}
