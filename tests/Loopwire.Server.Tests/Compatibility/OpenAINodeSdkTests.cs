using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Loopwire.TestKit;
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
        string root = RepoRoot.Find();
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

        string serverDll = LoopwireProcess.Dll;
        if (!File.Exists(serverDll))
        {
            Assert.Fail($"{serverDll} does not exist: build src/Loopwire.Cli (this test project references it, so a build of the test project builds it).");
        }

        // Step 1: start the server on a port the OS picks and read the address from its first line.
        string dotnet = LoopwireProcess.DotnetHost;
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
}
