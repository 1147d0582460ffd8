using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using Loopwire.Engine.Compaction;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace Loopwire.Server.Compaction;

/// <summary>Seals compaction items with ASP.NET Core Data Protection (authenticated encryption, keys rotated by the key ring).</summary>
/// <remarks>
/// Format: <c>lwdp1.</c> + base64url(the protected payload). A payload that does not verify is told apart from one made
/// with a key this server does not have by the key id in the payload's header (magic 0x09F0C9F0, then the key's GUID).
/// Thread-safe.
/// </remarks>
internal sealed class DataProtectionCompactionSealer(IDataProtectionProvider provider, IKeyManager keys) : ICompactionSealer
{
    private const string Prefix = "lwdp1.";
    private const uint MagicHeader = 0x09F0C9F0;

    private readonly IDataProtector _protector = provider.CreateProtector("Loopwire.Compaction.v1");

    public string Seal(ReadOnlySpan<byte> plaintext) => Prefix + Base64Url.EncodeToString(_protector.Protect(plaintext.ToArray()));

    public SealOpenStatus Open(string sealedText, out byte[]? plaintext)
    {
        plaintext = null;
        if (!sealedText.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return SealOpenStatus.Invalid;
        }

        byte[] payload;
        try
        {
            payload = Base64Url.DecodeFromChars(sealedText.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return SealOpenStatus.Invalid;
        }

        try
        {
            plaintext = _protector.Unprotect(payload);
            return SealOpenStatus.Opened;
        }
        catch (CryptographicException)
        {
            return KnownKey(payload) ? SealOpenStatus.Invalid : SealOpenStatus.KeyUnavailable;
        }
    }

    /// <summary>Whether the payload is malformed or names a key of this key ring (then a failure means it was altered).</summary>
    private bool KnownKey(byte[] payload)
    {
        if (payload.Length < 20 || BinaryPrimitives.ReadUInt32BigEndian(payload) != MagicHeader)
        {
            return true;
        }

        var keyId = new Guid(payload.AsSpan(4, 16));
        return keys.GetAllKeys().Any(k => k.KeyId == keyId);
    }
}
