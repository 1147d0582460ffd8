using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Items;

namespace Loopwire.Engine.Tests;

/// <summary>A backend that yields a fixed list of chunks, for every model.</summary>
internal sealed class ChunkBackend(params ModelChunk[] chunks) : IModelBackend
{
    public IReadOnlyList<string> Models { get; } = ["scripted"];

    public async IAsyncEnumerable<ModelChunk> StreamAsync(ModelRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var chunk in chunks)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return chunk;
        }
    }
}

/// <summary>A memory store whose saves fail while <see cref="FailSaves"/> is set.</summary>
internal sealed class FlakyStore : IResponseStore
{
    public MemoryResponseStore Inner { get; } = new();

    public bool FailSaves { get; set; }

    public Task SaveAsync(StoredResponse response, CancellationToken cancellationToken = default) =>
        FailSaves ? throw new IOException("disk full") : Inner.SaveAsync(response, cancellationToken);

    public Task<StoredResponse?> GetAsync(string id, string? tenant, CancellationToken cancellationToken = default) =>
        Inner.GetAsync(id, tenant, cancellationToken);

    public Task<bool> DeleteAsync(string id, string? tenant, CancellationToken cancellationToken = default) =>
        Inner.DeleteAsync(id, tenant, cancellationToken);

    public Task<ResponseItem?> GetItemAsync(string itemId, string? tenant, CancellationToken cancellationToken = default) =>
        Inner.GetItemAsync(itemId, tenant, cancellationToken);
}

/// <summary>An <see cref="IMeterFactory"/> that owns the meters it creates, as the host's does.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public IReadOnlyList<Meter> Created => _meters;

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, this);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}
