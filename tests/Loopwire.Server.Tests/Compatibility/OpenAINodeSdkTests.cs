using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Compatibility;

/// <summary>
/// Runs the official openai npm SDK suite in <c>tests/compat/openai-node</c> against the real
/// <c>loopwire serve</c> process, so what the SDK parses is exactly what a user's server sends.
/// </summary>
public sealed partial class OpenAINodeSdkTests(ITestOutputHelper output)
{
    // Generous: other builds share this 2-core machine, and the first start JIT-compiles the server.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task OfficialSdkSuite_AgainstLiveServer_Passes()
    {
        string root = FindRepoRoot();
        string suiteDir = Path.Combine(root, "tests", "compat", "openai-node");
        if (!Directory.Exists(Path.Combine(suiteDir, "node_modules", "openai")))
        {
            // A fresh checkout: install the pinned SDK from the lock file, so `dotnet test` alone is enough.
            using var npm = ChildProcess.Start("npm", ["ci", "--no-audit", "--no-fund"], suiteDir, []);
            int? npmExit = await npm.WaitForExitAsync(NodeTimeout);
            output.WriteLine("npm ci: " + npm.Output);
            if (npmExit != 0 || !Directory.Exists(Path.Combine(suiteDir, "node_modules", "openai")))
            {
                Assert.Fail($"`npm ci` in tests/compat/openai-node failed (exit {npmExit}); run it by hand to see why:\n{npm.Output}");
            }
        }

        string configuration = typeof(OpenAINodeSdkTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "Configuration").Value!;
        string serverDll = Path.Combine(root, "src", "Loopwire.Cli", "bin", configuration, "net10.0", "loopwire.dll");
        if (!File.Exists(serverDll))
        {
            Assert.Fail($"{serverDll} does not exist: build src/Loopwire.Cli in {configuration} (this test project references it, so a build of the test project builds it).");
        }

        // Step 1: start the server on a port the OS picks and read the address from its first line.
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        using var server = ChildProcess.Start(dotnet, [serverDll, "serve", "--port", "0", "--host", "127.0.0.1", "--store", "memory"], root, []);
        try
        {
            string? address = await server.WaitForLineAsync(ListeningLine(), StartTimeout);
            if (address is null)
            {
                Assert.Fail($"The server did not print 'Loopwire listening on' within {StartTimeout.TotalSeconds:0}s "
                    + $"(exited: {server.HasExited}). Its output:\n{server.Output}");
            }

            // Step 2: run the SDK suite against it.
            ChildProcess node;
            try
            {
                node = ChildProcess.Start("node", ["--test", "compat.test.mjs"], suiteDir, new() { ["LOOPWIRE_BASE_URL"] = address + "/v1" });
            }
            catch (Win32Exception ex)
            {
                Assert.Fail($"Could not start `node` ({ex.Message}); Node.js 20+ must be on PATH.");
                throw;
            }

            using (node)
            {
                int? exitCode = await node.WaitForExitAsync(NodeTimeout);
                output.WriteLine($"node --test compat.test.mjs against {address}/v1:");
                output.WriteLine(node.Output);
                if (exitCode != 0)
                {
                    output.WriteLine("Server output:");
                    output.WriteLine(server.Output);
                }

                Assert.True(exitCode is not null, $"node --test did not finish within {NodeTimeout.TotalMinutes:0} minutes.");
                Assert.True(exitCode == 0, $"node --test exited with {exitCode}: the openai SDK rejected something; see the test output.");
            }
        }
        finally
        {
            // Step 3: always stop the server, whatever happened above.
            server.Kill();
        }
    }

    [GeneratedRegex(@"Loopwire listening on (http://\S+)")]
    private static partial Regex ListeningLine();

    private static string FindRepoRoot()
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

    /// <summary>A child process whose stdout and stderr are collected; disposing kills its whole tree.</summary>
    private sealed class ChildProcess : IDisposable
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
}
