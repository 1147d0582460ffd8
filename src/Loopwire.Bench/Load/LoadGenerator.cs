using System.Diagnostics;
using Loopwire.Bench.Overhead;

namespace Loopwire.Bench.Load;

/// <summary>A server the load generator drives.</summary>
/// <param name="BaseUrl">Its root URL.</param>
/// <param name="ApiKey">Bearer key, or null.</param>
/// <param name="Probe">Reads its CPU, memory and GC counts.</param>
public sealed record LoadTarget(Uri BaseUrl, string? ApiKey, ServerProbe Probe);

/// <summary>
/// <c>loopwire bench load</c>: N concurrent sessions each make T continuation turns per arm; reports throughput, turn latency
/// and the server's CPU, memory and GC per turn. With a ceiling target, the ws arm's frames are replayed against a raw
/// Kestrel endpoint by the same client, in the same run.
/// </summary>
/// <remarks>
/// Each arm: (0) warm-up rounds on sessions of their own until the server is warm (<see cref="LoadWarmup"/>); (1) every session connects and sends its history (ws: <c>store:false</c> in the connection cache; http-chained:
/// stored; http-stateless: kept by the client), then its warm-up turns; (2) a sample of the server; (3) all sessions make their
/// measured turns at once; (4) a second sample. Turns are bounded; the run stops itself after <see cref="LoadSettings.Timeout"/>.
/// </remarks>
public static class LoadGenerator
{
    /// <summary>Runs every arm of <paramref name="settings"/>.</summary>
    /// <param name="target">The Loopwire server.</param>
    /// <param name="ceiling">The ceiling endpoint (<see cref="CeilingServer"/>) when <see cref="LoadSettings.Ceiling"/> is set.</param>
    /// <param name="settings">Sizes and arms.</param>
    /// <param name="progress">Receives the arm name and the number of turns just done (all turns, warm-up included).</param>
    /// <param name="ct">Cancels the run.</param>
    /// <exception cref="ArgumentException">The settings are invalid, or a ceiling run has no ceiling target.</exception>
    public static async Task<LoadResult> RunAsync(LoadTarget target, LoadTarget? ceiling, LoadSettings settings,
        IProgress<(string Arm, int Turns)>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(settings));
        }

        if (settings.Ceiling && ceiling is null)
        {
            throw new ArgumentException("A ceiling run needs the ceiling endpoint.", nameof(ceiling));
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(settings.Timeout);
        var history = HistoryBuilder.Build(settings.HistoryTokens);
        var arms = new List<LoadArmResult>();
        CeilingComparison? comparison = null;
        foreach (var arm in settings.Arms)
        {
            if (arm != "ws" || !settings.Ceiling || ceiling is null)
            {
                arms.Add(await RunArmAsync(arm, target, history, settings, null, 0, progress, cts.Token).ConfigureAwait(false));
                continue;
            }

            // The ws arm and the ceiling, measured one after the other, Repeats times: each ceiling replays the frames of the
            // ws measurement just before it.
            var cpuRatios = new List<double?>();
            var tpsRatios = new List<double>();
            for (int r = 1; r <= settings.Repeats; r++)
            {
                var shapes = new int[settings.Sessions][][];
                var ws = await RunArmAsync(arm, target, history, settings, shapes, 0, progress, cts.Token).ConfigureAwait(false);
                await UploadShapesAsync(ceiling, shapes, cts.Token).ConfigureAwait(false);
                var c = await RunArmAsync("ceiling", ceiling, history, settings, null, ws.WarmupRounds, progress, cts.Token).ConfigureAwait(false);
                int? repeat = settings.Repeats > 1 ? r : null;
                arms.Add(ws with { Repeat = repeat });
                arms.Add(c with { Repeat = repeat });
                cpuRatios.Add(ws.ServerCpuMsPerTurn is { } a && c.ServerCpuMsPerTurn is { } b && b > 0 ? a / b : null);
                tpsRatios.Add(c.TurnsPerS > 0 ? ws.TurnsPerS / c.TurnsPerS : 0);
            }

            var knownCpu = cpuRatios.Where(x => x is not null).Select(x => x!.Value).ToList();
            comparison = new CeilingComparison(knownCpu.Count > 0 ? Matrix.Stats.Median(knownCpu) : null, Matrix.Stats.Median(tpsRatios),
                $"ceiling CPU from {ceiling.Probe.Source}")
            {
                CpuPerTurnRatios = cpuRatios,
                TurnsPerSRatios = tpsRatios,
            };
        }

        return new LoadResult(Machine(), settings.Model, settings.HistoryTokens, settings.Turns, target.Probe.Source, arms, comparison);
    }

    internal static string Machine() => $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}";

    private static async Task<LoadArmResult> RunArmAsync(string arm, LoadTarget target, IReadOnlyList<byte[]> history, LoadSettings s,
        int[][][]? shapes, int minWarmupRounds, IProgress<(string, int)>? progress, CancellationToken ct)
    {
        // Step 0: warm-up rounds on sessions of their own, until the server's JIT has tiered up its hot code.
        var warm = await LoadWarmup.RunAsync(arm, target, history, s, minWarmupRounds, progress, ct).ConfigureAwait(false);
        var sessions = new ILoadSession[s.Sessions];
        try
        {
            // Step 1: connect, send the history, warm up (a few at a time, so a big N does not storm the accept queue).
            using var gate = new SemaphoreSlim(Math.Min(64, s.Sessions));
            await Task.WhenAll(Enumerable.Range(0, s.Sessions).Select(async i =>
            {
                await gate.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    sessions[i] = await LoadSessions.OpenAsync(arm, target, i, history, s.Model, shapes is not null, ct).ConfigureAwait(false);
                    for (int t = 0; t < s.WarmupTurns; t++)
                    {
                        await sessions[i].TurnAsync(t, measured: false, ct).ConfigureAwait(false);
                    }

                    progress?.Report((arm, s.WarmupTurns));
                }
                finally
                {
                    gate.Release();
                }
            })).ConfigureAwait(false);

            int warmup = s.WarmupTurns;
            // Steps 2-4: sample, all sessions' measured turns at once, sample.
            var before = await target.Probe.SampleAsync(ct).ConfigureAwait(false);
            long start = Stopwatch.GetTimestamp();
            var latencies = new List<double>[s.Sessions];
            var errors = new int[s.Sessions];
            await Task.WhenAll(Enumerable.Range(0, s.Sessions).Select(i => Task.Run(async () =>
            {
                var mine = latencies[i] = new List<double>(s.Turns);
                try
                {
                    for (int t = 0; t < s.Turns; t++)
                    {
                        long t0 = Stopwatch.GetTimestamp();
                        await sessions[i].TurnAsync(warmup + t, measured: true, ct).ConfigureAwait(false);
                        mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                        progress?.Report((arm, 1));
                    }
                }
                catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or System.Net.WebSockets.WebSocketException)
                {
                    errors[i] = 1;
                }
            }, ct))).ConfigureAwait(false);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var after = await target.Probe.SampleAsync(ct).ConfigureAwait(false);

            var all = latencies.SelectMany(l => l).ToList();
            int turns = all.Count;
            if (shapes is not null)
            {
                for (int i = 0; i < sessions.Length; i++)
                {
                    shapes[i] = [.. sessions[i].Shapes!];
                }
            }

            double? frames = arm is "ws" or "ceiling" && turns > 0 ? sessions.Sum(x => x.MeasuredFrames) / (double)turns : null;
            double? bytes = arm is "ws" or "ceiling" && turns > 0 ? sessions.Sum(x => x.MeasuredBytes) / (double)turns : null;
            return new LoadArmResult(
                arm, s.Sessions, turns, errors.Sum(), seconds,
                seconds > 0 ? turns / seconds : 0,
                Matrix.Stats.Percentile(all, 0.5), Matrix.Stats.Percentile(all, 0.9), Matrix.Stats.Percentile(all, 0.99),
                after.CpuMs is { } a && before.CpuMs is { } b && turns > 0 ? (a - b) / turns : null,
                after.RssBytes / (1024.0 * 1024.0),
                after.Gen0 - before.Gen0, after.Gen1 - before.Gen1, after.Gen2 - before.Gen2,
                frames, bytes, warm.TurnsPerSession + warmup)
            {
                WarmupRounds = warm.Rounds,
                WarmupJitMethodsLastWindow = warm.JitMethodsLastWindow,
                JitMethodsMeasured = after.JitMethods - before.JitMethods,
                ServerAllocKbPerTurn = after.AllocatedBytes is { } al && before.AllocatedBytes is { } bl && turns > 0 ? (al - bl) / 1024.0 / turns : null,
            };
        }
        finally
        {
            foreach (var session in sessions)
            {
                if (session is not null)
                {
                    await session.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task UploadShapesAsync(LoadTarget ceiling, int[][][] shapes, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = ceiling.BaseUrl };
        using var content = new ByteArrayContent(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(shapes, LoadJsonContext.Default.Int32ArrayArrayArray));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var resp = await http.PutAsync(new Uri("/ceiling/shapes", UriKind.Relative), content, ct).ConfigureAwait(false);
        resp.EnsureSuccessStatusCode();
    }
}
