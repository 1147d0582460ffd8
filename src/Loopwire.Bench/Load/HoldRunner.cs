using Loopwire.Bench.Overhead;

namespace Loopwire.Bench.Load;

/// <summary>The result of <c>bench load --hold N</c>.</summary>
/// <param name="Machine">Cores, OS and runtime.</param>
/// <param name="Sessions">Sessions asked for.</param>
/// <param name="Held">Sessions open and answered at the end.</param>
/// <param name="Errors">Sessions that failed to open or answer.</param>
/// <param name="FirstError">The first failure's message, or null.</param>
/// <param name="HistoryTokens">The history each session's one <c>store:false</c> response holds.</param>
/// <param name="BaselineRssMb">Server RSS after warm-up, before the held sessions.</param>
/// <param name="HeldRssMb">Server RSS with every session held.</param>
/// <param name="RssKbPerSession">(held - baseline) ÷ held sessions.</param>
/// <param name="SecondsToOpen">Wall time to open and answer every session.</param>
/// <param name="FileDescriptorLimit">This process's open-file soft limit after raising it, or null when unknown.</param>
/// <param name="SharedHistory">Whether every session sent the same history (else each its own, as real agents do).</param>
/// <param name="SettleSeconds">How long after the last session answered the held RSS was last sampled (long enough for the server's
/// default idle packing, <c>Loopwire:WebSocket:PackIdleAfter</c>, and its release of the packed memory); the held RSS is the lowest
/// reading of the last <see cref="HoldRunner.ReleaseWindow"/>.</param>
public sealed record HoldResult(
    string Machine,
    int Sessions,
    int Held,
    int Errors,
    string? FirstError,
    int HistoryTokens,
    double? BaselineRssMb,
    double? HeldRssMb,
    double? RssKbPerSession,
    double SecondsToOpen,
    ulong? FileDescriptorLimit,
    bool SharedHistory = false,
    double SettleSeconds = 0)
{
    /// <summary>The collector of the server the bench started (<c>server</c> or <c>workstation</c>); null for a running server.</summary>
    public string? ServerGc { get; init; }
}

/// <summary>
/// Opens N WebSocket sessions, gives each one <c>store:false</c> response over a history of H tokens of its own (so the server's
/// connection cache holds it), keeps them all open and measures the server's RSS per held session.
/// </summary>
public static class HoldRunner
{
    /// <summary>
    /// What the held reading waits beyond the settle time: the server's default <c>Loopwire:WebSocket:PackIdleAfter</c> (5 s) plus its
    /// check period (a quarter of it) and a margin, so that the server has packed every idle session's conversation. Nothing is
    /// read from the server to decide it. <value>7 seconds</value>
    /// </summary>
    public static readonly TimeSpan PackWait = TimeSpan.FromSeconds(7);

    /// <summary>
    /// How long after <see cref="PackWait"/> the held RSS is sampled, once a second, keeping the lowest reading: the server gives
    /// packed memory back to the OS in one collection at most every 10 s (or 20 times its last pause, ~1 s at 10,000 sessions),
    /// so the release of the last sessions' packing may come after the first reading. Nothing runs on the held sessions
    /// meanwhile, so a lower reading is that release. <value>22 seconds</value>
    /// </summary>
    public static readonly TimeSpan ReleaseWindow = TimeSpan.FromSeconds(22);

    /// <summary>Holds <paramref name="sessions"/> sessions, measures, then closes them.</summary>
    /// <param name="target">The Loopwire server.</param>
    /// <param name="sessions">How many to hold (1 to 1,000,000).</param>
    /// <param name="historyTokens">History per session.</param>
    /// <param name="model">The model.</param>
    /// <param name="progress">Receives 1 per session opened (or failed).</param>
    /// <param name="settle">How long to let the server settle before each memory reading. <value>2 seconds</value></param>
    /// <param name="sharedHistory">Every session sends the same history (the server's parsed-item and prefix caches then share
    /// its items and tokens between sessions) instead of one of its own.</param>
    /// <param name="ct">Cancels the run.</param>
    public static async Task<HoldResult> RunAsync(LoadTarget target, int sessions, int historyTokens, string model,
        IProgress<int>? progress = null, TimeSpan? settle = null, bool sharedHistory = false, CancellationToken ct = default)
    {
        var pause = settle ?? TimeSpan.FromSeconds(2);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfLessThan(sessions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sessions, 1_000_000);
        var limit = FileDescriptorLimit.RaiseToHard();
        byte[] shared = Message(-1);
        var uri = LoadSocket.ResponsesUri(target.BaseUrl);

        // Warm the server up (JIT, tokenizer), so the baseline already holds what one session's first turn allocates once.
        for (int i = 0; i < 3; i++)
        {
            var warm = await LoadSocket.ConnectAsync(uri, target.ApiKey, ct).ConfigureAwait(false);
            await using (warm.ConfigureAwait(false))
            {
                await warm.SendAsync(Message(-2 - i), null, ct).ConfigureAwait(false);
            }
        }

        if (pause > TimeSpan.Zero)
        {
            await Task.Delay(pause, ct).ConfigureAwait(false);
        }

        var baseline = await target.Probe.SampleAsync(ct).ConfigureAwait(false);
        var held = new LoadSocket?[sessions];
        int errors = 0;
        string? firstError = null;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var gate = new SemaphoreSlim(32);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, sessions).Select(async i =>
            {
                await gate.WaitAsync(ct).ConfigureAwait(false);
                LoadSocket? socket = null;
                try
                {
                    socket = await LoadSocket.ConnectAsync(uri, target.ApiKey, ct).ConfigureAwait(false);
                    await socket.SendAsync(sharedHistory ? shared : Message(i), null, ct).ConfigureAwait(false);
                    held[i] = socket;
                    socket = null;
                }
                catch (Exception ex) when (ex is InvalidOperationException or System.Net.WebSockets.WebSocketException or IOException
                    or HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, ex.Message, null);
                }
                finally
                {
                    if (socket is not null)
                    {
                        await socket.DisposeAsync().ConfigureAwait(false);
                    }

                    gate.Release();
                    progress?.Report(1);
                }
            })).ConfigureAwait(false);
            double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;

            // Let the server's last sends and their buffers settle, and its idle packing run, before reading its memory.
            var heldPause = pause > TimeSpan.Zero ? pause + PackWait : TimeSpan.Zero;
            if (heldPause > TimeSpan.Zero)
            {
                await Task.Delay(heldPause, ct).ConfigureAwait(false);
            }

            var after = await target.Probe.SampleAsync(ct).ConfigureAwait(false);
            if (heldPause > TimeSpan.Zero)
            {
                for (var waited = TimeSpan.Zero; waited < ReleaseWindow; waited += TimeSpan.FromSeconds(1))
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                    var sample = await target.Probe.SampleAsync(ct).ConfigureAwait(false);
                    if (sample.RssBytes < after.RssBytes)
                    {
                        after = sample;
                    }
                }

                heldPause += ReleaseWindow;
            }

            int count = held.Count(h => h is not null);
            double? baseMb = baseline.RssBytes / (1024.0 * 1024.0);
            double? heldMb = after.RssBytes / (1024.0 * 1024.0);
            double? perSession = after.RssBytes is { } a && baseline.RssBytes is { } b && count > 0 ? (a - b) / 1024.0 / count : null;
            return new HoldResult(LoadGenerator.Machine(), sessions, count, errors, firstError, historyTokens, baseMb, heldMb, perSession, seconds,
                limit?.Soft, sharedHistory, heldPause.TotalSeconds);
        }
        finally
        {
            await Task.WhenAll(held.Where(h => h is not null).Select(h => h!.DisposeAsync().AsTask())).ConfigureAwait(false);
        }

        // Each session's own history (seeded by its index): no item is shared, as between real agents' sessions.
        byte[] Message(int seed) => LoadSessions.CreateMessage(OverheadBenchmark.Body(model, store: false, previous: null,
            HistoryBuilder.Build(historyTokens, seed), generate: null));
    }
}
