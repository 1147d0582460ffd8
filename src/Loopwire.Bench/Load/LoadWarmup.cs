using System.Diagnostics;

namespace Loopwire.Bench.Load;

/// <summary>How an arm's server was warmed up before its measured turns.</summary>
/// <param name="Rounds">Warm-up rounds run.</param>
/// <param name="TurnsPerSession">Turns each session slot made in them.</param>
/// <param name="JitMethodsLastWindow">Methods the server JIT-compiled during the last second or so of rounds; null when the server does not say.</param>
internal sealed record WarmupOutcome(int Rounds, int TurnsPerSession, long? JitMethodsLastWindow);

/// <summary>
/// Warm-up rounds of <c>bench load</c>: all sessions make <see cref="LoadSettings.WarmupRoundTurns"/> turns at once, round after
/// round, until the server is warm, on sessions of their own that are not measured.
/// </summary>
/// <remarks>
/// A fresh .NET server runs its hot path as quickly-compiled code first and recompiles it optimized in the background, which
/// on a busy 2-core machine takes thousands of turns; measured before that, a server looks several times slower than it runs.
/// Warm means: the server's JIT compiled at most <see cref="QuietJitMethods"/> methods over the rounds of the last
/// <see cref="QuietWindow"/> or more (from its <c>dotnet.jit.compiled_methods</c> metric), and its CPU per turn in the last round
/// is within 15% of the round before; a server without the
/// metric (the ceiling endpoint) is warm on the CPU test alone. At most <see cref="LoadSettings.WarmupRounds"/> rounds, and at
/// least <c>minRounds</c> (the ceiling gets at least the rounds Loopwire needed). A warm-up session is replaced by a fresh one
/// once it has made as many turns as a measured session will, so the measured sessions start from the history the settings
/// name, however long the warm-up.
/// </remarks>
public static class LoadWarmup
{
    /// <summary>The most methods a round may JIT-compile and still count as warm.</summary>
    internal const int QuietJitMethods = 5;

    /// <summary>How far back the JIT test looks: at least this long of rounds.</summary>
    internal static readonly TimeSpan QuietWindow = TimeSpan.FromSeconds(1);

    /// <summary>Warm-up turns are reported to the progress under the arm's name with this suffix.</summary>
    public const string ProgressSuffix = " warm-up";

    internal static async Task<WarmupOutcome> RunAsync(string arm, LoadTarget target, IReadOnlyList<byte[]> history, LoadSettings s, int minRounds,
        IProgress<(string, int)>? progress, CancellationToken ct)
    {
        if (s.WarmupRounds == 0)
        {
            return new WarmupOutcome(0, 0, null);
        }

        var sessions = new ILoadSession?[s.Sessions];
        int lifetime = Math.Max(s.WarmupRoundTurns, s.WarmupTurns + s.Turns);
        int sessionTurns = 0;
        double? previousCpu = null;
        long? windowJit = null;
        int rounds = 0;
        var marks = new Queue<(long At, long Jit)>();
        try
        {
            while (rounds < s.WarmupRounds)
            {
                if (sessionTurns + s.WarmupRoundTurns > lifetime || sessions[0] is null)
                {
                    await ReplaceAsync(sessions, arm, target, history, s.Model, ct).ConfigureAwait(false);
                    sessionTurns = 0;
                }

                var before = await target.Probe.SampleAsync(ct).ConfigureAwait(false);
                if (marks.Count == 0 && before.JitMethods is { } j0)
                {
                    marks.Enqueue((Stopwatch.GetTimestamp(), j0));
                }

                int first = sessionTurns;
                await Task.WhenAll(sessions.Select(session => Task.Run(async () =>
                {
                    for (int t = 0; t < s.WarmupRoundTurns; t++)
                    {
                        await session!.TurnAsync(first + t, measured: false, ct).ConfigureAwait(false);
                    }

                    progress?.Report((arm + ProgressSuffix, s.WarmupRoundTurns));
                }, ct))).ConfigureAwait(false);
                sessionTurns += s.WarmupRoundTurns;
                rounds++;
                var after = await target.Probe.SampleAsync(ct).ConfigureAwait(false);
                if (after.CpuMs is not { } a || before.CpuMs is not { } b)
                {
                    break;
                }

                double cpu = (a - b) / (sessions.Length * (double)s.WarmupRoundTurns);
                bool settled = previousCpu is { } p && Math.Abs(cpu - p) <= 0.15 * p;
                previousCpu = cpu;
                if (after.JitMethods is { } jit)
                {
                    // The JIT test looks back over at least QuietWindow of rounds: one short round may fall between tier-up batches.
                    long now = Stopwatch.GetTimestamp();
                    while (marks.Count > 1 && Stopwatch.GetElapsedTime(marks.ElementAt(1).At, now) >= QuietWindow)
                    {
                        marks.Dequeue();
                    }

                    var (at, since) = marks.Peek();
                    windowJit = jit - since;
                    settled &= Stopwatch.GetElapsedTime(at, now) >= QuietWindow && windowJit <= QuietJitMethods;
                    marks.Enqueue((now, jit));
                }

                if (settled && rounds >= minRounds)
                {
                    break;
                }
            }
        }
        finally
        {
            await DisposeAllAsync(sessions).ConfigureAwait(false);
        }

        return new WarmupOutcome(rounds, rounds * s.WarmupRoundTurns, windowJit);
    }

    private static async Task ReplaceAsync(ILoadSession?[] sessions, string arm, LoadTarget target, IReadOnlyList<byte[]> history, string model,
        CancellationToken ct)
    {
        await DisposeAllAsync(sessions).ConfigureAwait(false);
        using var gate = new SemaphoreSlim(Math.Min(64, sessions.Length));
        await Task.WhenAll(Enumerable.Range(0, sessions.Length).Select(async i =>
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                sessions[i] = await LoadSessions.OpenAsync(arm, target, i, history, model, record: false, ct).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
    }

    private static async Task DisposeAllAsync(ILoadSession?[] sessions)
    {
        for (int i = 0; i < sessions.Length; i++)
        {
            if (sessions[i] is { } session)
            {
                sessions[i] = null;
                await session.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
