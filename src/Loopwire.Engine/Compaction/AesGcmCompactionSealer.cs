using System.Buffers.Text;
using System.Security.Cryptography;

namespace Loopwire.Engine.Compaction;

/// <summary>
/// An <see cref="ICompactionSealer"/> with AES-256-GCM and a key that lives as long as this object (an engine built
/// without the server's Data Protection keys, e.g. in a test or an embedded engine).
/// </summary>
/// <remarks>
/// Format: <c>lwc1.</c> + base64url(key id (8) | nonce (12) | tag (16) | ciphertext). The key id is a hash of the key, so
/// an envelope from another key is told apart from an altered one. Thread-safe.
/// </remarks>
public sealed class AesGcmCompactionSealer : ICompactionSealer
{
    private const string Prefix = "lwc1.";
    private const int KeyIdSize = 8;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key;
    private readonly byte[] _keyId;

    /// <summary>Creates a sealer with a new random key, or with <paramref name="key"/> (32 bytes).</summary>
    public AesGcmCompactionSealer(byte[]? key = null)
    {
        _key = key ?? RandomNumberGenerator.GetBytes(32);
        if (_key.Length != 32)
        {
            throw new ArgumentException("The key must be 32 bytes.", nameof(key));
        }

        _keyId = SHA256.HashData(_key)[..KeyIdSize];
    }

    /// <inheritdoc />
    public string Seal(ReadOnlySpan<byte> plaintext)
    {
        var blob = new byte[KeyIdSize + NonceSize + TagSize + plaintext.Length];
        _keyId.CopyTo(blob, 0);
        var nonce = blob.AsSpan(KeyIdSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(KeyIdSize + NonceSize + TagSize), blob.AsSpan(KeyIdSize + NonceSize, TagSize), _keyId);
        return Prefix + Base64Url.EncodeToString(blob);
    }

    /// <inheritdoc />
    public SealOpenStatus Open(string sealedText, out byte[]? plaintext)
    {
        ArgumentNullException.ThrowIfNull(sealedText);
        plaintext = null;
        if (!sealedText.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return SealOpenStatus.Invalid;
        }

        byte[] blob;
        try
        {
            blob = Base64Url.DecodeFromChars(sealedText.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return SealOpenStatus.Invalid;
        }

        if (blob.Length < KeyIdSize + NonceSize + TagSize)
        {
            return SealOpenStatus.Invalid;
        }

        if (!blob.AsSpan(0, KeyIdSize).SequenceEqual(_keyId))
        {
            return SealOpenStatus.KeyUnavailable;
        }

        var result = new byte[blob.Length - KeyIdSize - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(blob.AsSpan(KeyIdSize, NonceSize), blob.AsSpan(KeyIdSize + NonceSize + TagSize),
                blob.AsSpan(KeyIdSize + NonceSize, TagSize), result, _keyId);
        }
        catch (AuthenticationTagMismatchException)
        {
            return SealOpenStatus.Invalid;
        }

        plaintext = result;
        return SealOpenStatus.Opened;
    }
}
