using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Compatibility;

/// <summary>The repository root (the folder holding Loopwire.slnx).</summary>
internal static class RepoRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Loopwire.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Loopwire.slnx above {AppContext.BaseDirectory}.");
    }
}

/// <summary>A child process whose stdout and stderr are collected; disposing kills its whole tree.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();
    private Regex? _pattern;
    private TaskCompletionSource<string?>? _match;

    private ChildProcess(Process process) => _process = process;

    public bool HasExited => _process.HasExited;

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

    public static ChildProcess Start(string fileName, string[] args, string workingDirectory, Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(fileName, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
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

    /// <summary>Waits for a line matching <paramref name="pattern"/>; returns its first group, or null on timeout or exit.</summary>
    public async Task<string?> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        lock (_gate)
        {
            _pattern = pattern;
            _match = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
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
            return await _match.Task.WaitAsync(timeout);
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
