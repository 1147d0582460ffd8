using Loopwire.Engine.Rendering;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;

namespace Loopwire.Engine.Context.PrefixReuse;

/// <summary>
/// Renders through the prefix cache: a conversation rendered from scratch takes the longest known prefix's tokens and
/// renders only the rest; every rendered item then joins the cache, so the next replay of the same history hits.
/// </summary>
/// <remarks>Thread-safe; each call works on one turn's state. Exact: a reused item's tokens are those its key rendered to.</remarks>
internal sealed class PrefixRendering(PrefixReuseCache cache, ITokenRenderer renderer)
{
    private readonly ItemKeys _keys = new(renderer);

    /// <summary>
    /// Renders a state with no rendered tokens yet: its header, its history (<see cref="ConversationState.Items"/>) and then
    /// <paramref name="input"/>, taking what the cache knows; returns the new context and how many items came from the
    /// cache, and fills the turn's counts.
    /// </summary>
    public (RenderedContext Rendered, int ItemsReused) RenderFresh(string? tenant, string? model, string? instructions, IReadOnlyList<ToolDefinition>? tools,
        ConversationState state, IReadOnlyList<ResponseItem> input, TurnTimings timings)
    {
        int count = state.Items.Count + input.Count;
        UInt128 seed = PrefixKeys.Seed(model, instructions, tools);
        var links = PrefixKeys.Chain(_keys, seed, state.Items, input);
        var hit = cache.Lookup(tenant, seed, links);

        int[] header = hit.Header ?? renderer.RenderHeader(instructions, tools);
        if (hit.Header is null)
        {
            timings.TokensRendered += header.Length;
        }
        else
        {
            timings.PrefixTokensReused += header.Length;
        }

        var rendered = new RenderedContext(header);
        for (int i = 0; i < count; i++)
        {
            if (i < hit.Items.Count)
            {
                ConversationRendering.AppendRendered(state, rendered, hit.Items[i]);
                timings.PrefixTokensReused += hit.Items[i].Length;
            }
            else
            {
                var item = i < state.Items.Count ? state.Items[i] : input[i - state.Items.Count];
                timings.TokensRendered += renderer.AppendItem(state, rendered, item);
                timings.ItemsRendered++;
            }
        }

        cache.Add(tenant, seed, hit.Header is null ? header : null, links, rendered.Items, hit.Items.Count);
        state.PrefixSeed = seed;
        state.PrefixLink = count == 0 ? seed : links[^1];
        return (rendered, hit.Items.Count);
    }

    /// <summary>
    /// Adds the last <paramref name="items"/> of a state that tracks its chain (already rendered and appended) to the cache.
    /// </summary>
    public void Extend(string? tenant, ConversationState state, IReadOnlyList<ResponseItem> items)
    {
        if (state.PrefixLink is not { } link || state.Rendered is not { } rendered || items.Count == 0)
        {
            return;
        }

        var links = PrefixKeys.Chain(_keys, link, items);
        int first = rendered.Items.Count - items.Count;
        var tokens = new int[items.Count][];
        for (int i = 0; i < tokens.Length; i++)
        {
            tokens[i] = rendered.Items[first + i];
        }

        cache.Add(tenant, state.PrefixSeed, null, links, tokens, 0);
        state.PrefixLink = links[^1];
    }
}
