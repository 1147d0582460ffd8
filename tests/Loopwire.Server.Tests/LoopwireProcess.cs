using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Loopwire.Server.Tests;

/// <summary>
/// The real <c>loopwire</c> CLI (<c>src/Loopwire.Cli/bin/CONFIG/net10.0/loopwire.dll</c>) as a child process, for tests that
/// need a separate process: exit codes, <c>kill -9</c>, SIGTERM. Disposing kills it (SIGKILL) if it still runs.
/// </summary>
internal sealed partial class LoopwireProcess : IDisposable
{
    /// <summary>Generous: other builds share the machine and the first start JIT-compiles the server.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<string?> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LoopwireProcess(Process process) => _process = process;

    public int Id => _process.Id;

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

    /// <summary>Starts <c>loopwire ARGS</c> with extra environment variables (a null value removes one).</summary>
    public static LoopwireProcess Start(string[] args, Dictionary<string, string?>? environment = null)
    {
        string root = RepoRoot();
        string configuration = typeof(LoopwireProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "Configuration").Value!;
        string dll = Path.Combine(root, "src", "Loopwire.Cli", "bin", configuration, "net10.0", "loopwire.dll");
        Assert.True(File.Exists(dll), $"{dll} does not exist: build src/Loopwire.Cli in {configuration}.");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var info = new ProcessStartInfo(dotnet, [dll, .. args])
        {
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment.Remove(Loopwire.Server.Auth.ApiKeySources.EnvironmentVariable);
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
        var child = new LoopwireProcess(process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Exited += (_, _) => child._listening.TrySetResult(null);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Starts <c>loopwire serve ARGS</c> (with <c>--port 0</c> unless ARGS name a port) and waits for its address (fails the test if it does not come).</summary>
    public static async Task<LoopwireProcess> ServeAsync(string[] args, Dictionary<string, string?>? environment = null)
    {
        var p = Start(args.Contains("--port") ? ["serve", .. args] : ["serve", "--port", "0", .. args], environment);
        if (await p.WaitForAddressAsync() is null)
        {
            string output = p.Output;
            p.Dispose();
            Assert.Fail($"loopwire serve did not print its address within {StartTimeout.TotalSeconds:0}s. Output:\n{output}");
        }

        return p;
    }

    /// <summary>The base address (<c>http://127.0.0.1:PORT</c>) once it listens; null if it exits or times out first.</summary>
    public string? Address => _listening.Task.IsCompletedSuccessfully ? _listening.Task.Result : null;

    public async Task<string?> WaitForAddressAsync()
    {
        try
        {
            return await _listening.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Waits for exit; the exit code, or null on timeout.</summary>
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

    /// <summary>SIGTERM: a graceful shutdown.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
        });
        kill?.WaitForExit(TimeSpan.FromSeconds(10));
    }

    /// <summary>SIGKILL (<c>kill -9</c>): no shutdown code runs.</summary>
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

    internal static string RepoRoot()
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

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.AppendLine(line);
        }

        if (ListeningLine().Match(line) is { Success: true } m)
        {
            _listening.TrySetResult(m.Groups[1].Value);
        }
    }

    [GeneratedRegex(@"Loopwire listening on (http://\S+)")]
    private static partial Regex ListeningLine();
}
