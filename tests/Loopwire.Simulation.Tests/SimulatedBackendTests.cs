using Loopwire.Engine.Backends;
using Loopwire.Engine.Context;
using Loopwire.Engine.Rendering;
using Loopwire.Protocol.Requests;
using Microsoft.Extensions.Time.Testing;

namespace Loopwire.Simulation.Tests;

public sealed class SimulatedBackendTests
{
    private static ModelRequest RequestFor(string model, int words, out ConversationState state)
    {
        var renderer = SimulationTestKit.Renderer;
        state = new ConversationState();
        state.Add(SimulationTestKit.User(string.Join(' ', Enumerable.Repeat("token", words))));
        var rendered = new RenderedContext(renderer.RenderHeader(null, null));
        rendered.Append(renderer.RenderItem(state.Items[0]));
        state.Rendered = rendered;
        return new ModelRequest(model, state, new CreateResponseRequest { Model = model });
    }

    [Fact]
    public async Task StreamAsync_FirstChunk_WaitsForCostModelTtft()
    {
        var time = new FakeTimeProvider();
        var backend = new SimulatedBackend(new SimulatedOptions(), SimulationTestKit.Renderer, time);
        var request = RequestFor("sim-gpt5", 2000, out var state);
        var ttft = SimulatedProfile.Gpt5.TimeToFirstToken(state.Rendered!.TotalTokens);

        await using var e = backend.StreamAsync(request).GetAsyncEnumerator();
        var first = e.MoveNextAsync().AsTask();
        time.Advance(ttft - TimeSpan.FromMilliseconds(5));
        await Task.Yield();
        Assert.False(first.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.True(await first.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, Assert.IsType<PromptProcessed>(e.Current).CachedTokens);
    }

    [Fact]
    public async Task StreamAsync_SamePrefixTwice_SecondIsCached()
    {
        var backend = new SimulatedBackend(new SimulatedOptions(), SimulationTestKit.Renderer, TimeProvider.System);
        var request = RequestFor("sim-instant", 1000, out var state);
        var first = await FirstAsync(backend, request);
        var second = await FirstAsync(backend, request);

        Assert.Equal(0, first.CachedTokens);
        Assert.Equal(state.Rendered!.BlockHashes.Count * RenderedContext.BlockSize, second.CachedTokens);
    }

    [Fact]
    public void TimeToFirstToken_CostModel_IsBasePlusPrefill()
    {
        var p = new SimulatedProfile("x", 100, 1000, 50);

        Assert.Equal(TimeSpan.FromMilliseconds(100 + 500), p.TimeToFirstToken(500));
        Assert.Equal(TimeSpan.FromMilliseconds(2000), p.DecodeTime(100));
    }

    [Fact]
    public void Constructor_UnknownDefaultProfile_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            new SimulatedBackend(new SimulatedOptions { DefaultProfile = "nope" }, SimulationTestKit.Renderer, TimeProvider.System));

        Assert.Contains("sim-spark", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<PromptProcessed> FirstAsync(SimulatedBackend backend, ModelRequest request)
    {
        await foreach (var chunk in backend.StreamAsync(request))
        {
            return Assert.IsType<PromptProcessed>(chunk);
        }

        throw new InvalidOperationException("no chunk");
    }
}
