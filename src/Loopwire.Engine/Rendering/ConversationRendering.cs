using Loopwire.Engine.Context;
using Loopwire.Protocol.Items;

namespace Loopwire.Engine.Rendering;

/// <summary>The one way an item's tokens join a conversation: rendered, appended, and counted against the memory cap.</summary>
internal static class ConversationRendering
{
    /// <summary>Renders <paramref name="item"/> onto <paramref name="rendered"/> and adds its estimate to <paramref name="state"/>.</summary>
    /// <returns>The number of tokens rendered.</returns>
    /// <remarks>Does not add the item to the state's items: the caller decides (history items are already there).</remarks>
    public static int AppendItem(this ITokenRenderer renderer, ConversationState state, RenderedContext rendered, ResponseItem item)
    {
        var tokens = renderer.RenderItem(item);
        rendered.Append(tokens);
        state.AddBytes(ApproximateBytes(tokens.Length));
        return tokens.Length;
    }

    /// <summary>Appends tokens rendered before (the prefix cache's) and adds their estimate to <paramref name="state"/>.</summary>
    public static void AppendRendered(ConversationState state, RenderedContext rendered, int[] tokens)
    {
        rendered.Append(tokens);
        state.AddBytes(ApproximateBytes(tokens.Length));
    }

    private static long ApproximateBytes(int tokens) => 96 + tokens * 8L;
}
