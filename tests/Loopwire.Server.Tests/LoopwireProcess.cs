using System.Reflection;
using System.Text.RegularExpressions;
using Loopwire.TestKit;

namespace Loopwire.Server.Tests;

/// <summary>
/// The real <c>loopwire</c> CLI (<c>src/Loopwire.Cli/bin/CONFIG/net10.0/loopwire.dll</c>) as a child process, for tests that
/// need a separate process: exit codes, <c>kill -9</c>, SIGTERM. Disposing kills it (SIGKILL) if it still runs.
/// </summary>
internal sealed partial class LoopwireProcess : IDisposable
{
    /// <summary>Generous: other builds share the machine and the first start JIT-compiles the server.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly ChildProcess _process;
    private Task<string?>? _listening;

    private LoopwireProcess(ChildProcess process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output => _process.Output;

    /// <summary>The path of the built CLI, for tests that start it themselves.</summary>
    public static string Dll
    {
        get
        {
            string configuration = typeof(LoopwireProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "Configuration").Value!;
            return Path.Combine(RepoRoot.Find(), "src", "Loopwire.Cli", "bin", configuration, "net10.0", "loopwire.dll");
        }
    }

    /// <summary>The <c>dotnet</c> host running these tests.</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Starts <c>loopwire ARGS</c> with extra environment variables (a null value removes one).</summary>
    public static LoopwireProcess Start(string[] args, Dictionary<string, string?>? environment = null)
    {
        string dll = Dll;
        Assert.True(File.Exists(dll), $"{dll} does not exist: build src/Loopwire.Cli.");
        var env = new Dictionary<string, string?> { [Loopwire.Server.Auth.ApiKeySources.EnvironmentVariable] = null };
        foreach (var (key, value) in environment ?? [])
        {
            env[key] = value;
        }

        var child = new LoopwireProcess(ChildProcess.Start(DotnetHost, [dll, .. args], Path.GetTempPath(), env));
        child._listening = child._process.WaitForLineAsync(ListeningLine(), StartTimeout);
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
    public string? Address => _listening!.IsCompletedSuccessfully ? _listening.Result : null;

    public Task<string?> WaitForAddressAsync() => _listening!;

    /// <summary>Waits for exit; the exit code, or null on timeout.</summary>
    public Task<int?> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    /// <summary>SIGTERM: a graceful shutdown.</summary>
    public void Terminate() => _process.Terminate();

    /// <summary>SIGKILL (<c>kill -9</c>): no shutdown code runs.</summary>
    public void Kill() => _process.Kill();

    public void Dispose() => _process.Dispose();

    [GeneratedRegex(@"Loopwire listening on (http://\S+)")]
    private static partial Regex ListeningLine();
}
