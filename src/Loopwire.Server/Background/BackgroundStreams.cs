using System.Runtime.CompilerServices;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Server.Background;

/// <summary>
/// <c>GET /v1/responses/{id}?stream=true&amp;starting_after=N</c>: decides, before the first byte, where the events of a
/// background response come from and whether the request can be served; then yields them.
/// </summary>
/// <remarks>
/// A run on this node is followed in memory (<see cref="BackgroundRun.FollowAsync"/>). Any other run is read from the
/// store's event log: the kept events after <c>N</c>, then the log is polled every
/// <see cref="BackgroundOptions.FollowPollInterval"/> until a terminal event arrives (the running node writes it; if that
/// node dies, the node that fails its expired lease writes a <c>response.failed</c>). Polling, not LISTEN/NOTIFY: it works
/// the same on every store, costs one indexed read per follower per interval, and needs no connection per follower.
/// The stored status is checked every few empty polls, so a log that stops short (its writer gave up) ends the stream too.
/// </remarks>
internal sealed class BackgroundStreams(BackgroundResponses background, IResponseStore store, TimeProvider time)
{
    /// <summary>Events read from the log per query.</summary>
    internal const int PageSize = 256;

    /// <summary>Empty polls between two looks at the stored status.</summary>
    private const int PollsPerStatusCheck = 5;

    /// <summary>The events to stream, or the error to answer with.</summary>
    public async Task<(IAsyncEnumerable<ResponseEvent>? Events, ProtocolError? Error)> OpenAsync(string id, string? tenant, ResponseObject response,
        int startingAfter, CancellationToken ct)
    {
        var options = background.Options;
        if (!response.Background)
        {
            return (null, ProtocolError.Invalid(
                $"Response '{id}' was not created with 'background': true; only background responses can be streamed again.", "stream"));
        }

        if (background.Find(id, tenant) is { } run)
        {
            var localError = RangeError(id, startingAfter, run.FirstAvailable, run.NextSequence, run.IsFinished, options);
            return localError is null ? (run.FollowAsync(startingAfter, ct), null) : (null, localError);
        }

        // A running response may have no event in the log yet (its node has not flushed the first batch): follow it anyway.
        bool running = !ResponseStatus.IsTerminal(response.Status);
        var page = background.Runs is null ? null : await background.Runs.ReadEventsAsync(id, startingAfter, PageSize, ct).ConfigureAwait(false);
        if (page is null || (page.FirstSequence is null && !running))
        {
            return (null, ProtocolError.Invalid(
                $"The events of background response '{id}' are no longer available: they are kept for {options.Retention} after the response ends " +
                "(Loopwire:Background:Retention). Retrieve it without 'stream' instead.", "stream", ErrorCodes.StreamExpired));
        }

        var error = page.FirstSequence is { } first
            ? RangeError(id, startingAfter, first, page.NextSequence, ended: page.Events.Count == 0 && !running, options)
            : null;
        return error is null ? (FollowLogAsync(background.Runs!, id, tenant, startingAfter, page, ct), null) : (null, error);
    }

    private static ProtocolError? RangeError(string id, int startingAfter, int first, int next, bool ended, BackgroundOptions options)
    {
        if (startingAfter + 1 < first)
        {
            return ProtocolError.Invalid(
                $"Events up to sequence_number {first - 1} of response '{id}' are no longer buffered: the server keeps the last " +
                $"{options.MaxBufferedEvents} events of a background response (Loopwire:Background:MaxBufferedEvents). " +
                $"Resume with 'starting_after' >= {first - 1}, or retrieve the response without 'stream'.", "starting_after", ErrorCodes.StartingAfterOutOfRange);
        }

        if (ended && startingAfter >= next)
        {
            return ProtocolError.Invalid(
                $"'starting_after' {startingAfter} is past the last event of response '{id}' (sequence_number {next - 1}).", "starting_after");
        }

        return null;
    }

    /// <summary>Yields the log's events after <paramref name="startingAfter"/>, polling for new ones, until a terminal event.</summary>
    /// <remarks>
    /// Ends early, without a terminal event, when the log was trimmed past this reader or forgotten: nothing fake is sent,
    /// and the client's resume then gets the error that names the limit.
    /// </remarks>
    private async IAsyncEnumerable<ResponseEvent> FollowLogAsync(IBackgroundRunStore runs, string id, string? tenant, int startingAfter,
        BackgroundEventPage page, [EnumeratorCancellation] CancellationToken ct)
    {
        int cursor = startingAfter;
        int emptyPolls = 0;
        bool statusTerminal = false;
        while (true)
        {
            foreach (var e in page.Events)
            {
                yield return e;
                cursor = e.SequenceNumber;
                if (e.IsTerminal)
                {
                    yield break;
                }
            }

            // Forgotten (retention) or trimmed past this reader, or the run ended without a terminal event in the log.
            bool forgotten = page.FirstSequence is null && cursor > startingAfter;
            if (forgotten || cursor + 1 < page.FirstSequence || (statusTerminal && page.Events.Count == 0))
            {
                yield break;
            }

            if (page.Events.Count < PageSize)
            {
                if (++emptyPolls % PollsPerStatusCheck == 0)
                {
                    // Checked before the next read: a terminal status stored before that read means the read has the last events.
                    var stored = await store.GetAsync(id, tenant, ct).ConfigureAwait(false);
                    statusTerminal = stored is null || ResponseStatus.IsTerminal(stored.Response.Status);
                }

                if (!statusTerminal)
                {
                    await Task.Delay(background.Options.FollowPollInterval, time, ct).ConfigureAwait(false);
                }
            }

            page = await runs.ReadEventsAsync(id, cursor, PageSize, ct).ConfigureAwait(false);
        }
    }
}
