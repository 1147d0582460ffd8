using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;

namespace Loopwire.Engine.Context;

/// <summary>Checks that every tool call output in new input answers a call in the conversation or earlier in the same input.</summary>
internal static class CallValidator
{
    /// <summary>The first output with no matching call, as a 400 naming its <c>call_id</c>; null when all match.</summary>
    public static ProtocolError? Validate(ConversationState state, IReadOnlyList<ResponseItem> input)
    {
        HashSet<string>? newCalls = null;
        for (int i = 0; i < input.Count; i++)
        {
            switch (input[i])
            {
                case FunctionCallItem f:
                    (newCalls ??= new(StringComparer.Ordinal)).Add(f.CallId);
                    break;
                case CustomToolCallItem c:
                    (newCalls ??= new(StringComparer.Ordinal)).Add(c.CallId);
                    break;
                case FunctionCallOutputItem o when !state.HasCall(o.CallId) && newCalls?.Contains(o.CallId) != true:
                    return ProtocolError.Invalid($"No tool call found for function call output with call_id {o.CallId}.", $"input[{i}].call_id");
                case CustomToolCallOutputItem co when !state.HasCall(co.CallId) && newCalls?.Contains(co.CallId) != true:
                    return ProtocolError.Invalid($"No tool call found for custom tool call output with call_id {co.CallId}.", $"input[{i}].call_id");
            }
        }

        return null;
    }
}
