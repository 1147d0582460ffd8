using System.Runtime.CompilerServices;
using Loopwire.Engine.Rendering;
using Loopwire.Protocol.Items;

namespace Loopwire.Engine.Context.PrefixReuse;

/// <summary>
/// The renderer's <see cref="ITokenRenderer.ItemKey"/> of each item instance, computed once: an item a replaying client sends
/// again is the same instance (<see cref="ParsedItemCache"/>), so the prefix walk of a known history hashes nothing again.
/// </summary>
/// <remarks>Items are immutable, so an instance's key never changes. Keys live as long as their items. Thread-safe.</remarks>
internal sealed class ItemKeys(ITokenRenderer renderer)
{
    private readonly ConditionalWeakTable<ResponseItem, StrongBox<UInt128>> _keys = new();

    /// <summary>The key of <paramref name="item"/>.</summary>
    public UInt128 Of(ResponseItem item)
    {
        if (_keys.TryGetValue(item, out var known))
        {
            return known.Value;
        }

        var key = renderer.ItemKey(item);
        _keys.AddOrUpdate(item, new StrongBox<UInt128>(key));
        return key;
    }
}
