namespace Loopwire.Server.Http;

/// <summary>
/// The one rule of the send paths (WebSocket lanes, SSE, gRPC): what was written leaves before the loop waits for an event
/// that is not ready. The caller starts <c>MoveNextAsync</c> first, and flushes only when it did not complete at once.
/// </summary>
internal static class FlushBeforeWait
{
    /// <summary>Awaits <paramref name="flush"/>, then <paramref name="next"/>.</summary>
    /// <remarks>
    /// When the flush fails (the connection ends, the client does not read), <paramref name="next"/> is let finish before the
    /// failure goes on: an async iterator cannot be disposed while its <c>MoveNextAsync</c> runs (it would throw
    /// <see cref="NotSupportedException"/> in place of the failure), and the producer watches the same token, so it ends soon.
    /// </remarks>
    /// <param name="next">The enumerator's pending <c>MoveNextAsync</c>.</param>
    /// <param name="flush">The flush, already started.</param>
    /// <returns>What <paramref name="next"/> returns.</returns>
    public static async ValueTask<bool> NextAsync(ValueTask<bool> next, ValueTask flush)
    {
        try
        {
            await flush.ConfigureAwait(false);
        }
        catch
        {
            try
            {
                await next.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The flush's failure is the one that goes on; the producer's own end does not matter here.
            catch (Exception)
#pragma warning restore CA1031
            {
            }

            throw;
        }

        return await next.ConfigureAwait(false);
    }
}
