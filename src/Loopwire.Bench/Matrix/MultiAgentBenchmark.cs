using System.Diagnostics;
using System.Net;
using Loopwire.Agent.Loop;
using Loopwire.Agent.Tools;
using Loopwire.Bench.Network;
using Loopwire.Client.Sessions;

namespace Loopwire.Bench.Matrix;

/// <summary>The multi-agent cell: an orchestrator runs several sub-agents at once (e.g. three <c>fix-small</c> tasks).</summary>
public sealed record MultiAgentSettings
{
    /// <summary>Sub-agents run in parallel. <value>3</value></summary>
    public int Agents { get; init; } = 3;

    /// <summary>Each sub-agent's scenario. <value>fix-small</value></summary>
    public string Scenario { get; init; } = "fix-small";

    /// <summary>The model.</summary>
    public required string Model { get; init; }

    /// <summary>The emulated link between the orchestrator and the server.</summary>
    public required LinkProfile Network { get; init; }

    /// <summary>The arms to run (<see cref="MultiAgentBenchmark.Arms"/> by default).</summary>
    public IReadOnlyList<string> Arms { get; init; } = MultiAgentBenchmark.Arms;

    /// <summary>Whether every arm first runs once, unmeasured, with one sub-agent on <c>sim-instant</c>. <value>true</value></summary>
    public bool WarmUp { get; init; } = true;

    /// <summary>Seed of the tool latencies.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Creates the tool runner of a sub-agent (scenario, seed).</summary>
    public required Func<string, int, IToolRunner> ToolRunnerFactory { get; init; }

    /// <summary>The task text of a scenario.</summary>
    public required Func<string, string> TaskFor { get; init; }
}

/// <summary>One arm of the multi-agent cell.</summary>
/// <param name="Arm">The arm.</param>
/// <param name="Agents">Sub-agents run at once.</param>
/// <param name="ConnectionsOpened">TCP connections opened through the link (reconnects included).</param>
/// <param name="BytesUp">Bytes the orchestrator sent.</param>
/// <param name="BytesDown">Bytes it received.</param>
/// <param name="E2eMs">From the start of the first sub-agent to the end of the last.</param>
/// <param name="Turns">Model calls over all sub-agents.</param>
/// <param name="AllAnswered">Whether every sub-agent ended with an answer.</param>
public sealed record MultiAgentRow(string Arm, int Agents, int ConnectionsOpened, long BytesUp, long BytesDown, double E2eMs, int Turns, bool AllAnswered);

/// <summary>
/// Runs the multi-agent cell over three arms that change only how the sub-agents reach the server: a WebSocket per
/// sub-agent (<c>ws-socket-per-agent</c>), one WebSocket with a lane (<c>stream_id</c>) per sub-agent (<c>ws-lanes</c>),
/// and stateless HTTP (<c>http-stateless</c>). Each arm gets its own link emulator, so connections and bytes are its own.
/// </summary>
public static class MultiAgentBenchmark
{
    /// <summary>The arms.</summary>
    public static IReadOnlyList<string> Arms { get; } = ["ws-socket-per-agent", "ws-lanes", "http-stateless"];

    /// <summary>Runs every arm of <paramref name="settings"/> against the server at <paramref name="serverBaseUrl"/>.</summary>
    /// <param name="serverBaseUrl">The server's root URL (loopback).</param>
    /// <param name="apiKey">Its bearer key, if any.</param>
    /// <param name="settings">The cell.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>One row per arm.</returns>
    /// <exception cref="ArgumentException">An unknown arm, or fewer than one agent.</exception>
    public static async Task<IReadOnlyList<MultiAgentRow>> RunAsync(Uri serverBaseUrl, string? apiKey, MultiAgentSettings settings,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(serverBaseUrl);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Agents < 1 || settings.Arms.Except(Arms).Any())
        {
            throw new ArgumentException($"Unknown arm or no agents; arms: {string.Join(", ", Arms)}.", nameof(settings));
        }

        var target = await ResolveAsync(serverBaseUrl, cancellationToken).ConfigureAwait(false);
        if (settings.WarmUp)
        {
            // Unmeasured: every arm's server and client paths are exercised once, so the first arm does not pay the cold start.
            var warm = settings with { Agents = 1, Model = "sim-instant", Network = LinkProfile.Loopback };
            foreach (var arm in settings.Arms)
            {
                await RunArmAsync(target, apiKey, warm, arm, cancellationToken).ConfigureAwait(false);
            }
        }

        var rows = new List<MultiAgentRow>();
        foreach (var arm in settings.Arms)
        {
            rows.Add(await RunArmAsync(target, apiKey, settings, arm, cancellationToken).ConfigureAwait(false));
        }

        return rows;
    }

    private static async Task<MultiAgentRow> RunArmAsync(IPEndPoint target, string? apiKey, MultiAgentSettings s, string arm, CancellationToken ct)
    {
        var link = new LinkEmulator(target, s.Network, s.Seed);
        await using var linkScope = link.ConfigureAwait(false);
        var endpoint = new Uri($"http://127.0.0.1:{link.Endpoint.Port}/");
        ResponseSessionOptions Options(SessionTransport transport) => new()
        {
            Endpoint = endpoint,
            ApiKey = apiKey,
            Transport = transport,
            MaxReplays = 4,
            MaxConnectAttempts = 8,
        };

        var owned = new List<ResponseSession>();
        var tools = new List<IToolRunner>();
        try
        {
            ResponseSession? owner = null;
            if (arm == "ws-lanes")
            {
                owner = new ResponseSession(Options(SessionTransport.WebSocket));
                owned.Add(owner);
            }

            var sessions = new List<ResponseSession>();
            for (int i = 0; i < s.Agents; i++)
            {
                var session = arm switch
                {
                    "ws-lanes" => owner!.Lane($"agent-{i}"),
                    "http-stateless" => new ResponseSession(Options(SessionTransport.HttpStateless)),
                    _ => new ResponseSession(Options(SessionTransport.WebSocket)),
                };
                owned.Add(session);
                sessions.Add(session);
                tools.Add(s.ToolRunnerFactory(s.Scenario, s.Seed + i));
            }

            long start = Stopwatch.GetTimestamp();
            var runs = sessions.Select((session, i) =>
                new AgentLoop(session, tools[i], new AgentOptions { Model = s.Model })
                    .RunAsync($"{s.TaskFor(s.Scenario)}\n(sub-agent {i}, run {Guid.NewGuid():N})", null, ct)).ToList();
            var results = await Task.WhenAll(runs).ConfigureAwait(false);
            double e2e = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            return new MultiAgentRow(arm, s.Agents, link.ConnectionsOpened, link.BytesUp, link.BytesDown, e2e, results.Sum(r => r.Turns.Count),
                results.All(r => r.StopReason == AgentStopReason.Answered));
        }
        finally
        {
            // Lanes first: the owner closes the shared socket.
            for (int i = owned.Count - 1; i >= 0; i--)
            {
                await owned[i].DisposeAsync().ConfigureAwait(false);
            }

            foreach (var t in tools)
            {
                (t as IDisposable)?.Dispose();
            }
        }
    }

    private static async Task<IPEndPoint> ResolveAsync(Uri url, CancellationToken ct)
    {
        if (IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip))
        {
            return new IPEndPoint(ip, url.Port);
        }

        var addresses = await Dns.GetHostAddressesAsync(url.Host, ct).ConfigureAwait(false);
        return new IPEndPoint(addresses.First(IPAddress.IsLoopback), url.Port);
    }
}
