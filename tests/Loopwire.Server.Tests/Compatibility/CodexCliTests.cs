using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Loopwire.TestKit;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Compatibility;

/// <summary>
/// Runs the real Codex CLI (<c>codex exec</c>, pinned in <c>tests/compat/codex/package.json</c>) against the real
/// <c>loopwire serve</c> process over WebSocket mode, through <c>tests/compat/codex/run-codex.sh</c>, which runs both
/// inside a loopback-only network namespace (<c>unshare -n</c>, so it needs root; CI runs as root).
/// </summary>
public sealed partial class CodexCliTests(ITestOutputHelper output)
{
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(5);

    // Server start (120 s, JIT on a shared 2-core machine) + codex exec (300 s) + slack.
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task CodexExec_OverWebSocket_FinishesWithChainedTurns()
    {
        string root = RepoRoot.Find();
        string suiteDir = Path.Combine(root, "tests", "compat", "codex");

        // Not skippable: a machine that cannot make a network namespace fails with the reason.
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Fail($"This test runs Codex in a loopback-only network namespace (`unshare -n`), which needs root; "
                + $"it runs as user '{Environment.UserName}'. Run `dotnet test` as root (CI does).");
        }

        ChildProcess probe;
        try
        {
            probe = ChildProcess.Start("unshare", ["-n", "true"], suiteDir, []);
        }
        catch (Win32Exception ex)
        {
            Assert.Fail($"Could not start `unshare` ({ex.Message}); install util-linux (and iproute2 for `ip`).");
            throw;
        }

        using (probe)
        {
            int? probeExit = await probe.WaitForExitAsync(TimeSpan.FromSeconds(30));
            if (probeExit != 0)
            {
                Assert.Fail($"`unshare -n true` failed (exit {probeExit}): this machine does not allow a new network namespace, "
                    + $"which the Codex compatibility test needs (a container without CAP_SYS_ADMIN?).\n{probe.Output}");
            }
        }

        if (!File.Exists(Path.Combine(suiteDir, "node_modules", ".bin", "codex")))
        {
            // A fresh checkout: install the pinned Codex CLI from the lock file, so `dotnet test` alone is enough.
            using var npm = ChildProcess.Start("npm", ["ci", "--no-audit", "--no-fund"], suiteDir, []);
            int? npmExit = await npm.WaitForExitAsync(NpmTimeout);
            output.WriteLine("npm ci: " + npm.Output);
            if (npmExit != 0 || !File.Exists(Path.Combine(suiteDir, "node_modules", ".bin", "codex")))
            {
                Assert.Fail($"`npm ci` in tests/compat/codex failed (exit {npmExit}); run it by hand to see why:\n{npm.Output}");
            }
        }

        string serverDll = LoopwireProcess.Dll;
        if (!File.Exists(serverDll))
        {
            Assert.Fail($"{serverDll} does not exist: build src/Loopwire.Cli (this test project references it, so a build of the test project builds it).");
        }

        string dotnet = LoopwireProcess.DotnetHost;
        ChildProcess script;
        try
        {
            script = ChildProcess.Start("bash", [Path.Combine(suiteDir, "run-codex.sh")], suiteDir, new()
            {
                ["LOOPWIRE_DLL"] = serverDll,
                ["LOOPWIRE_DOTNET"] = dotnet,
                ["CODEX_TIMEOUT_SECONDS"] = "300",
                ["SERVER_START_TIMEOUT_SECONDS"] = "120",
            });
        }
        catch (Win32Exception ex)
        {
            Assert.Fail($"Could not start `bash` ({ex.Message}).");
            throw;
        }

        using (script)
        {
            int? exitCode = await script.WaitForExitAsync(ScriptTimeout);
            string log = script.Output;
            output.WriteLine("tests/compat/codex/run-codex.sh:");
            output.WriteLine(log);

            Assert.True(exitCode is not null, $"run-codex.sh did not finish within {ScriptTimeout.TotalMinutes:0} minutes.");
            var codexExit = CodexExitLine().Match(log);
            Assert.True(codexExit.Success, $"run-codex.sh (exit {exitCode}) never ran codex exec; see the test output.");
            Assert.True(codexExit.Groups[1].Value == "0", $"codex exec exited with {codexExit.Groups[1].Value}; see the test output.");
            var finalMessage = FinalMessageLine().Match(log);
            Assert.True(finalMessage.Success && int.Parse(finalMessage.Groups[1].Value) > 0,
                "codex exec wrote no final message (-o); see the test output.");

            var turnsLine = TurnsLine().Match(log);
            Assert.True(turnsLine.Success, "run-codex.sh printed no LOOPWIRE_TURNS line (GET /loopwire/v1/turns).");
            using var turns = JsonDocument.Parse(turnsLine.Groups[1].Value);
            var records = turns.RootElement.GetProperty("data").EnumerateArray().ToList();
            var ws = records.Where(t => t.GetProperty("transport").GetString() == "ws"
                && t.GetProperty("status").GetString() == "completed").ToList();
            int fromCache = ws.Count(t => t.GetProperty("from_cache").GetBoolean());
            int other = records.Count(t => t.GetProperty("transport").GetString() != "ws");

            Assert.True(ws.Count >= 2, $"Expected >= 2 completed responses over WebSocket, the server recorded {ws.Count}.");
            Assert.True(fromCache >= 1, "Expected >= 1 response served from the connection cache (a chained delta turn with "
                + "previous_response_id), the server recorded none.");
            Assert.True(other == 0, $"{other} response(s) were served over another transport: Codex fell back from WebSocket.");
            Assert.True(exitCode == 0, $"run-codex.sh exited with {exitCode}; see the test output.");
        }
    }

    [GeneratedRegex(@"^CODEX_EXIT_CODE (\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex CodexExitLine();

    [GeneratedRegex(@"^CODEX_FINAL_MESSAGE_CHARS (\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex FinalMessageLine();

    [GeneratedRegex(@"^LOOPWIRE_TURNS (\{.*\})\s*$", RegexOptions.Multiline)]
    private static partial Regex TurnsLine();
}
