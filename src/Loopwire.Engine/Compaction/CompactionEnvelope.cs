using System.Text;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;

namespace Loopwire.Engine.Compaction;

/// <summary>Seals a compacted context into a <c>compaction</c> item and opens one that comes back as input.</summary>
/// <remarks>The plaintext is a version byte followed by the compacted context as UTF-8 text.</remarks>
internal static class CompactionEnvelope
{
    private const byte Version = 1;

    public static CompactionItem Seal(ICompactionSealer sealer, string compacted, string createdBy)
    {
        var bytes = new byte[1 + Encoding.UTF8.GetByteCount(compacted)];
        bytes[0] = Version;
        Encoding.UTF8.GetBytes(compacted, bytes.AsSpan(1));
        return new CompactionItem
        {
            Id = Ids.NewItemId("cmp"),
            EncryptedContent = sealer.Seal(bytes),
            CreatedBy = createdBy,
            Opened = compacted,
        };
    }

    /// <summary>Opens <paramref name="item"/>; the error's <c>param</c> is relative to the item.</summary>
    public static (CompactionItem? Item, ProtocolError? Error) Open(ICompactionSealer sealer, CompactionItem item)
    {
        if (item.Opened is not null)
        {
            return (item, null);
        }

        var status = sealer.Open(item.EncryptedContent, out var plaintext);
        if (status == SealOpenStatus.KeyUnavailable)
        {
            return (null, ProtocolError.Invalid(
                "The compaction item's 'encrypted_content' was sealed with a key this server no longer has (its compaction keys " +
                "changed, see Loopwire:Compaction:KeysDirectory). Compact again from the full conversation.",
                "encrypted_content", ErrorCodes.EncryptionKeyUnavailable));
        }

        if (status != SealOpenStatus.Opened || plaintext is not { Length: > 0 } || plaintext[0] != Version)
        {
            return (null, ProtocolError.Invalid(
                "The compaction item's 'encrypted_content' could not be verified: it was altered or was not sealed by this server. " +
                "Pass compaction items back exactly as they were returned.",
                "encrypted_content", ErrorCodes.InvalidEncryptedContent));
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(plaintext, 1, plaintext.Length - 1);
        }
        catch (DecoderFallbackException)
        {
            return (null, ProtocolError.Invalid("The compaction item's 'encrypted_content' could not be verified.", "encrypted_content",
                ErrorCodes.InvalidEncryptedContent));
        }

        return (item with { Opened = text }, null);
    }
}
