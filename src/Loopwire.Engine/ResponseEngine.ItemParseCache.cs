using Loopwire.Protocol.Items;

namespace Loopwire.Engine;

public sealed partial class ResponseEngine
{
    /// <summary>
    /// The items <paramref name="tenant"/>'s recent requests sent, by their exact JSON, for the transports' request parsing
    /// (<c>RequestReader.TryParse</c> with an item cache: a replayed item is not read again); null when the prefix cache is off.
    /// </summary>
    /// <param name="tenant">The caller's tenant.</param>
    /// <returns>The tenant's view of the cache, or null.</returns>
    public IItemParseCache? ItemParseCache(string? tenant) => _prefixCache?.ItemsFor(tenant);
}
