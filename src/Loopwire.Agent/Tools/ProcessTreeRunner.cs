using System.ComponentModel;
using System.Diagnostics;

namespace Loopwire.Agent.Tools;

/// <summary>How a <see cref="ProcessTreeRunner"/> run ended.</summary>
internal enum ProcessRunOutcome
{
    /// <summary>The process exited by itself; <see cref="ProcessRunResult.ExitCode"/> holds its code.</summary>
    Exited,

    /// <summary>The timeout fired first and the whole process tree was killed.</summary>
    TimedOut,

    /// <summary>The process could not be started; <see cref="ProcessRunResult.StartError"/> says why.</summary>
    FailedToStart,
}

/// <summary>The result of a <see cref="ProcessTreeRunner"/> run.</summary>
/// <param name="Outcome">How the run ended.</param>
/// <param name="ExitCode">The exit code, when <see cref="ProcessRunOutcome.Exited"/>.</param>
/// <param name="StartError">Why the process did not start, when <see cref="ProcessRunOutcome.FailedToStart"/>.</param>
internal readonly record struct ProcessRunResult(ProcessRunOutcome Outcome, int ExitCode = 0, string? StartError = null);

/// <summary>
/// Runs a process to completion with a closed stdin, hands every stdout and stderr line to a callback, and kills the whole
/// process tree when the timeout fires or the caller cancels.
/// </summary>
/// <remarks>
/// The callback is called from two reader tasks at once and must be thread-safe; it decides what to keep (the caller caps
/// the output). After the process exits, the readers get <see cref="ReaderDrainTimeout"/> to finish: a grandchild that
/// outlives the process can keep the pipes open. Thread-safe; each call runs its own process.
/// </remarks>
internal sealed class ProcessTreeRunner(TimeProvider timeProvider)
{
    /// <summary>How long the output readers may run after the process exited.</summary>
    public static readonly TimeSpan ReaderDrainTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for a killed process to be reaped.</summary>
    public static readonly TimeSpan KillWaitTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs the process described by <paramref name="startInfo"/>.</summary>
    /// <param name="startInfo">What to run; the runner sets the redirections and <c>UseShellExecute</c>.</param>
    /// <param name="onLine">Receives each output line (stdout and stderr interleaved as read).</param>
    /// <param name="timeout">How long the process may run.</param>
    /// <param name="cancellationToken">Kills the process tree and throws when cancelled.</param>
    /// <returns>How the run ended.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the tree is killed first).</exception>
    public async Task<ProcessRunResult> RunAsync(ProcessStartInfo startInfo, Action<string> onLine, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        ArgumentNullException.ThrowIfNull(onLine);
        startInfo.UseShellExecute = false;
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;

        // The clock starts before the process does, so the timeout covers the start and is armed once the process exists.
        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
            return new ProcessRunResult(ProcessRunOutcome.FailedToStart, StartError: ex.Message);
        }

        process.StandardInput.Close();
        var readers = Task.WhenAll(PumpAsync(process.StandardOutput, onLine), PumpAsync(process.StandardError, onLine));

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await KillTreeAsync(process).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return new ProcessRunResult(ProcessRunOutcome.TimedOut);
        }

        try
        {
            await readers.WaitAsync(ReaderDrainTimeout, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A grandchild that outlives the command can keep the pipes open; do not wait for it forever.
        }

        return new ProcessRunResult(ProcessRunOutcome.Exited, process.ExitCode);
    }

    private static async Task PumpAsync(StreamReader reader, Action<string> onLine)
    {
        try
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                onLine(line);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The process was killed or disposed; what was read so far is all there is.
        }
    }

    private async Task KillTreeAsync(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already exited.
        }

        try
        {
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(KillWaitTimeout, timeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The kill was sent; a zombie that the OS has not reaped yet must not block the caller.
        }
    }
}
