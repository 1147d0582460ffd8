using System.Runtime.CompilerServices;
using Loopwire.Engine.Backends;

namespace Loopwire.Engine.Tests.Backends;

public sealed class ModelRouterTests
{
    private sealed class Listed(params string[] models) : IModelBackend, IModelLister
    {
        public IReadOnlyList<string> Models => [];

        public Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<string>>(models);

        public async IAsyncEnumerable<ModelChunk> StreamAsync(ModelRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.CompletedTask;
            yield break;
        }
    }

    [Fact]
    public async Task ListModelsAsync_Routes_ListsOnlyWhatEachBackendIsRoutedFor()
    {
        var simulated = new Listed("sim-spark", "sim-instant");
        var chat = new Listed("llama3.1:8b", "qwen2.5", "llama-guard");
        var router = new ModelRouter(simulated, [("llama-guard", simulated), ("llama*", chat), ("gpt-4o", chat)]);

        var models = await router.ListModelsAsync();

        Assert.Equal(["sim-spark", "sim-instant", "llama3.1:8b", "llama-guard", "gpt-4o"], models);
        Assert.Same(chat, router.Resolve("LLAMA3.1:8b"));
        Assert.Same(simulated, router.Resolve("qwen2.5"));
    }
}
