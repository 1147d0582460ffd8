using Loopwire.Protocol.Items;

namespace Loopwire.Protocol.Responses;

/// <summary>The answer of <c>POST /v1/responses/compact</c>.</summary>
/// <param name="Id">The compaction id (<c>cmp_…</c>).</param>
/// <param name="Object">Always <c>response.compaction</c>.</param>
/// <param name="CreatedAt">Unix seconds.</param>
/// <param name="Output">The user messages followed by exactly one <c>compaction</c> item; feed it back unchanged as a new chain's input.</param>
/// <param name="Usage">The tokens the compaction read and wrote.</param>
public sealed record CompactResponse(string Id, string Object, long CreatedAt, IReadOnlyList<ResponseItem> Output, Usage Usage);

/// <summary>The answer of <c>POST /v1/responses/input_tokens</c>.</summary>
/// <param name="Object">Always <c>response.input_tokens</c>.</param>
/// <param name="InputTokens">The input tokens the same request would report in <c>usage.input_tokens</c>.</param>
public sealed record InputTokensResponse(string Object, int InputTokens);
