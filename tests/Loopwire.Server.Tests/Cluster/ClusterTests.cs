using System.Text.Json;
using Loopwire.TestKit;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Cluster;

/// <summary>
/// Three <c>loopwire serve</c> nodes on one PostgreSQL behind nginx, and one node killed with SIGKILL under a running
/// agent: the agent finishes with its tests passing and no response it received is lost. Runs <c>deploy/cluster.sh</c>,
/// the script users run, against the CLI these tests built, so the script itself is what is tested.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ITestOutputHelper output)
{
    private const int KillAfter = 20;

    /// <summary>
    /// A ceiling, not a measure: about a minute on an idle 2-core machine, but six processes (three nodes JIT-compiling,
    /// the agent, its test runs, nginx) slow down many times over when other builds share the cores.
    /// </summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(25);

    [ClusterFact]
    public async Task LongHaul_NodeKilledMidRun_AgentPassesAndNoResponseLost()
    {
        Assert.True(ClusterFactAttribute.Nginx is not null, "nginx is not installed, and CI=true: .ci/run installs the Debian package 'nginx'.");
        string summaryPath = Path.Combine(Path.GetTempPath(), $"loopwire-cluster-{Guid.NewGuid():N}.json");
        string script = Path.Combine(RepoRoot.Find(), "deploy", "cluster.sh");
        try
        {
            using var run = ChildProcess.Start("bash", [script, "--transports", "ws http-chained", "--scenario", "long-haul",
                "--model", "sim-instant", "--kill-after", KillAfter.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--loopwire", $"{LoopwireProcess.DotnetHost} {LoopwireProcess.Dll}", "--summary-json", summaryPath],
                Path.GetTempPath(), new Dictionary<string, string?> { [Loopwire.Server.Auth.ApiKeySources.EnvironmentVariable] = null });
            int? exit = await run.WaitForExitAsync(Timeout);
            if (exit is null)
            {
                // SIGTERM lets the script's trap stop PostgreSQL (daemonized by pg_ctl, outside the process tree), nginx and the nodes.
                run.Terminate();
                await run.WaitForExitAsync(TimeSpan.FromSeconds(60));
            }

            output.WriteLine(run.Output);
            Assert.True(exit is not null, $"deploy/cluster.sh did not finish within {Timeout.TotalMinutes:0} minutes.");
            Assert.True(File.Exists(summaryPath), $"deploy/cluster.sh wrote no summary (exit {exit}).");

            using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryPath));
            var runs = summary.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("transport").GetString()!);
            Assert.Equal(["http-chained", "ws"], runs.Keys.Order(StringComparer.Ordinal));
            foreach (var (transport, r) in runs)
            {
                int turns = r.GetProperty("turns").GetInt32();
                string killed = r.GetProperty("killed_node").GetString()!;
                var perNode = r.GetProperty("turns_per_node").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());

                Assert.True(r.GetProperty("tests_passed").GetBoolean(), $"{transport}: the agent's tests did not pass");
                Assert.Equal(0, r.GetProperty("agent_exit_code").GetInt32());
                Assert.Equal(0, r.GetProperty("lost").GetInt32());
                Assert.Equal(turns, r.GetProperty("response_ids").GetInt32());
                Assert.InRange(r.GetProperty("killed_after_turn").GetInt32(), KillAfter, turns - 1);
                Assert.Equal(JsonValueKind.Number, r.GetProperty("kill_to_next_turn_ms").ValueKind);
                // The session header's hash kept the session on one node until it died, then on one survivor.
                Assert.Equal(3, perNode.Count);
                Assert.True(perNode[killed] >= KillAfter, $"{transport}: {killed} served {perNode[killed]} turns");
                Assert.Equal(turns, perNode.Values.Sum());
                Assert.Single(perNode, p => p.Key != killed && p.Value > 0);
            }

            Assert.True(runs["ws"].GetProperty("reconnects").GetInt32() >= 1, "ws: the socket died with its node, so the client reconnected");
            Assert.Equal(0, exit);
        }
        finally
        {
            File.Delete(summaryPath);
        }
    }
}

/// <summary>The cluster test runs alone: its processes would otherwise compete with every parallel test for two cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "cluster";
}
