namespace Loopwire.Engine.Stores;

/// <summary>The response store cannot be reached (its database is down, refusing connections or timing out).</summary>
/// <remarks>
/// Stores throw it instead of their driver's exception for failures that clear up by themselves when the database is
/// back; the server maps it to HTTP 503 <c>store_unavailable</c>. The message names the store and its host, never
/// a password.
/// </remarks>
public sealed class StoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StoreUnavailableException()
        : base("The response store is unavailable.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is unavailable; names the store and host, never a password.</param>
    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the driver's exception.</summary>
    /// <param name="message">What is unavailable; names the store and host, never a password.</param>
    /// <param name="innerException">The driver's exception.</param>
    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
