using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Loopwire.TestKit;

/// <summary>
/// A child process for tests: stdin closed, stdout and stderr collected line by line into <see cref="Output"/>, and
/// its whole tree killed on dispose if it still runs.
/// </summary>
/// <remarks>Thread-safe: output arrives on thread-pool threads while the test waits.</remarks>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();
    private Regex? _pattern;
    private TaskCompletionSource<string?>? _match;

    private ChildProcess(Process process) => _process = process;

    /// <summary>The operating-system process id.</summary>
    public int Id => _process.Id;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Everything written to stdout and stderr so far, one line each.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="args"/>.</summary>
    /// <param name="fileName">The program.</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="workingDirectory">Where it runs.</param>
    /// <param name="environment">Variables to set; a null value removes one inherited from the test process.</param>
    public static ChildProcess Start(string fileName, IEnumerable<string> args, string workingDirectory, Dictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(fileName, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment ?? [])
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Exited += (_, _) => child.OnExited();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for a line matching <paramref name="pattern"/> (earlier output counts); returns its first group, or null on timeout or exit.</summary>
    public async Task<string?> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        TaskCompletionSource<string?> match;
        lock (_gate)
        {
            _pattern = pattern;
            _match = match = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            var earlier = pattern.Match(_output.ToString());
            if (earlier.Success)
            {
                return earlier.Groups[1].Value;
            }

            if (_process.HasExited)
            {
                return null;
            }
        }

        try
        {
            return await match.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Waits for exit and all output; returns the exit code, or null on timeout.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>SIGTERM: asks for a graceful shutdown.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
        });
        kill?.WaitForExit(TimeSpan.FromSeconds(10));
    }

    /// <summary>SIGKILL to the whole tree: no shutdown code runs.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.AppendLine(line);
            if (_pattern?.Match(line) is { Success: true } m)
            {
                _match!.TrySetResult(m.Groups[1].Value);
            }
        }
    }

    private void OnExited()
    {
        lock (_gate)
        {
            _match?.TrySetResult(null);
        }
    }
}
