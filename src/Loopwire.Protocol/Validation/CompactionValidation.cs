using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;

namespace Loopwire.Protocol.Validation;

/// <summary>Checks <c>context_management</c> and the position of a <c>compaction_trigger</c> item.</summary>
public static class CompactionValidation
{
    /// <summary>Returns the first error of the compaction fields of <paramref name="r"/>, or null.</summary>
    public static ProtocolError? Validate(CreateResponseRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.ContextManagement is { } entries)
        {
            for (int i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                if (entry is null)
                {
                    return ProtocolError.WrongType($"context_management[{i}]", "an object");
                }

                if (entry.Type is null)
                {
                    return ProtocolError.Missing($"context_management[{i}].type");
                }

                if (entry.Type != "compaction")
                {
                    return ProtocolError.Invalid(
                        $"Invalid value for 'context_management[{i}].type': '{entry.Type}'. Supported values are: 'compaction'.",
                        $"context_management[{i}].type");
                }

                if (entry.CompactThreshold is < 1)
                {
                    return ProtocolError.Invalid(
                        $"Invalid 'context_management[{i}].compact_threshold': {entry.CompactThreshold}. Expected a value >= 1.",
                        $"context_management[{i}].compact_threshold");
                }
            }
        }

        if (r.Input is { } input)
        {
            for (int i = 0; i < input.Count - 1; i++)
            {
                if (input[i] is CompactionTriggerItem)
                {
                    return ProtocolError.Invalid(
                        $"Invalid 'input[{i}]': a 'compaction_trigger' item must be the final input item (it is item {i} of {input.Count}).",
                        $"input[{i}]");
                }
            }
        }

        return null;
    }
}
