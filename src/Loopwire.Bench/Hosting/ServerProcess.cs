using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Loopwire.Bench.Hosting;

/// <summary>How to start <c>loopwire serve</c> as a child process.</summary>
/// <param name="FileName">The executable (the apphost, or <c>dotnet</c>).</param>
/// <param name="PrefixArguments">Arguments before <c>serve</c> (the dll path when run through <c>dotnet</c>).</param>
public sealed record ServerCommand(string FileName, IReadOnlyList<string> PrefixArguments);

/// <summary>
/// A Loopwire server in its own process (so its CPU and GC are its own), bound to a free loopback port.
/// Disposing kills it with its whole process tree.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _log = [];

    private ServerProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    /// <summary>The server's root URL, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The server's process id (for <c>/proc</c> readings).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The gRPC transport's HTTP/2 cleartext address, when the server was started with <c>--grpc-port</c>.</summary>
    public Uri? GrpcUrl { get; private set; }

    /// <summary>The last lines the server printed (for error reports).</summary>
    public IReadOnlyList<string> RecentLog
    {
        get
        {
            lock (_log)
            {
                return _log.TakeLast(40).ToList();
            }
        }
    }

    /// <summary>Starts the server and waits until it listens.</summary>
    /// <exception cref="InvalidOperationException">The server exited or did not start within <paramref name="timeout"/>.</exception>
    public static Task<ServerProcess> StartAsync(ServerCommand command, IEnumerable<string> serveArguments, TimeSpan timeout,
        CancellationToken cancellationToken = default) =>
        StartCommandAsync(command, ["serve", .. serveArguments], null, timeout, cancellationToken);

    /// <summary>Starts any subcommand that prints <c>Loopwire listening on URL</c> when ready, and waits until it does.</summary>
    /// <param name="command">How to start this program.</param>
    /// <param name="arguments">The subcommand and its arguments, e.g. <c>serve --port 0</c>.</param>
    /// <param name="environment">Extra environment variables (configuration overrides such as <c>Loopwire__Limits__...</c>), or null.</param>
    /// <param name="timeout">How long to wait for the listening line.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="InvalidOperationException">The process exited or did not start within <paramref name="timeout"/>.</exception>
    public static async Task<ServerProcess> StartCommandAsync(ServerCommand command, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(arguments);
        var psi = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in command.PrefixArguments)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_gcServer"] = "0";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the server process.");
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        Uri? grpcUrl = null;
        var lines = new List<string>();
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(line);
                if (lines.Count > 200)
                {
                    lines.RemoveAt(0);
                }
            }

            // serve prints the gRPC line before the main one.
            if (GrpcListeningLine().Match(line) is { Success: true } g)
            {
                grpcUrl = new Uri(g.Groups[1].Value);
            }

            var m = ListeningLine().Match(line);
            if (m.Success)
            {
                ready.TrySetResult(new Uri(m.Groups[1].Value));
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var exited = process.WaitForExitAsync(cts.Token);
        var done = await Task.WhenAny(ready.Task, exited, Task.Delay(Timeout.Infinite, cts.Token)).ConfigureAwait(false);
        if (done != ready.Task)
        {
            string tail;
            lock (lines)
            {
                tail = string.Join('\n', lines.TakeLast(20));
            }

            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
            throw new InvalidOperationException($"The server did not start within {timeout.TotalSeconds:0} s.\n{tail}");
        }

        var server = new ServerProcess(process, await ready.Task.ConfigureAwait(false)) { GrpcUrl = grpcUrl };
        lock (lines)
        {
            server._log.AddRange(lines);
        }

        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        return server;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.Add(line);
            if (_log.Count > 200)
            {
                _log.RemoveAt(0);
            }
        }
    }

    [GeneratedRegex(@"Loopwire listening on (http://\S+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"Loopwire gRPC \(HTTP/2 cleartext\) listening on (http://\S+)")]
    private static partial Regex GrpcListeningLine();
}
