namespace Loopwire.Protocol.Responses;

/// <summary>The values of a response's <c>status</c> (and of an output item's <c>status</c>).</summary>
/// <remarks>One set of names for the server, which writes them, and the client, which reads them.</remarks>
public static class ResponseStatus
{
    /// <summary><c>queued</c>: a background response that has not started.</summary>
    public const string Queued = "queued";

    /// <summary><c>in_progress</c>: generating.</summary>
    public const string InProgress = "in_progress";

    /// <summary><c>completed</c>: finished normally.</summary>
    public const string Completed = "completed";

    /// <summary><c>incomplete</c>: stopped early (e.g. <c>max_output_tokens</c>); the output so far is kept.</summary>
    public const string Incomplete = "incomplete";

    /// <summary><c>failed</c>: ended with an error.</summary>
    public const string Failed = "failed";

    /// <summary><c>cancelled</c>: a background response cancelled by the client.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Whether <paramref name="status"/> is one a response never leaves.</summary>
    /// <param name="status">A status value.</param>
    /// <returns>True for <c>completed</c>, <c>incomplete</c>, <c>failed</c> and <c>cancelled</c>.</returns>
    public static bool IsTerminal(string? status) => status is Completed or Incomplete or Failed or Cancelled;
}
