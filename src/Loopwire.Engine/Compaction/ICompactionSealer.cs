namespace Loopwire.Engine.Compaction;

/// <summary>How opening a sealed envelope went.</summary>
public enum SealOpenStatus
{
    /// <summary>The envelope is authentic; the plaintext is returned.</summary>
    Opened,

    /// <summary>The envelope was altered, truncated, or is not one of this server's.</summary>
    Invalid,

    /// <summary>The envelope is well formed but sealed with a key this server does not have (its keys changed).</summary>
    KeyUnavailable,
}

/// <summary>
/// Authenticated encryption of compaction envelopes with a server-held key: a client can neither read nor forge what
/// it gets back as <c>encrypted_content</c>.
/// </summary>
/// <remarks>Implementations are thread-safe. The server implements it with ASP.NET Core Data Protection.</remarks>
public interface ICompactionSealer
{
    /// <summary>Encrypts and authenticates <paramref name="plaintext"/>.</summary>
    /// <returns>Printable text (base64url with a version prefix).</returns>
    string Seal(ReadOnlySpan<byte> plaintext);

    /// <summary>Checks and decrypts an envelope made by <see cref="Seal"/>.</summary>
    /// <param name="sealedText">The envelope.</param>
    /// <param name="plaintext">The plaintext when <see cref="SealOpenStatus.Opened"/>, else null.</param>
    /// <returns>Whether it opened, and if not, why.</returns>
    SealOpenStatus Open(string sealedText, out byte[]? plaintext);
}
