namespace Loopwire.Protocol.Items;

/// <summary>
/// Items parsed before, found by their exact UTF-8 JSON: a request that re-sends a history the server has read already takes
/// the parsed items instead of reading and validating each one again (see <see cref="Validation.RequestReader.TryParse(ReadOnlySpan{byte}, IItemParseCache?, out Requests.CreateResponseRequest?)"/>).
/// </summary>
/// <remarks>
/// Exact: an item is found only for the very bytes it was parsed from, and parsing an item depends on its bytes alone.
/// The items handed out are shared between requests and must not be changed. Implementations are thread-safe and bounded;
/// a server keeps one per tenant.
/// </remarks>
public interface IItemParseCache
{
    /// <summary>The item parsed before from exactly <paramref name="utf8Json"/>, or null.</summary>
    /// <param name="utf8Json">One item's JSON, as it appears in the request.</param>
    /// <returns>The item, or null when these bytes were not seen (or were evicted).</returns>
    ResponseItem? Find(ReadOnlySpan<byte> utf8Json);

    /// <summary>Remembers that <paramref name="utf8Json"/> parses to <paramref name="item"/>.</summary>
    /// <param name="utf8Json">One item's JSON, as it appeared in the request (copied; the caller keeps its buffer).</param>
    /// <param name="item">The item it parsed to, valid on its own.</param>
    void Add(ReadOnlySpan<byte> utf8Json, ResponseItem item);
}
