using Loopwire.Agent.Tools;
using Loopwire.Bench.Network;

namespace Loopwire.Bench.Matrix;

/// <summary>What <c>loopwire bench</c> runs.</summary>
public sealed record BenchSettings
{
    /// <summary>Agent scenarios (samples).</summary>
    public required IReadOnlyList<string> Scenarios { get; init; }

    /// <summary>Transport arms.</summary>
    public IReadOnlyList<string> Arms { get; init; } = BenchArms.All;

    /// <summary>Simulated model profiles.</summary>
    public required IReadOnlyList<string> Models { get; init; }

    /// <summary>Network profiles.</summary>
    public required IReadOnlyList<LinkProfile> Networks { get; init; }

    /// <summary>Repetitions per cell. <value>1</value></summary>
    public int Repetitions { get; init; } = 1;

    /// <summary><c>mock</c> (recorded results, the same latency in every arm) or <c>real</c>.</summary>
    public string Tools { get; init; } = "mock";

    /// <summary>Seed of tool latencies and drops. <value>1</value></summary>
    public int Seed { get; init; } = 1;

    /// <summary>Creates the tool runner of one run (scenario, repetition seed); the bench disposes it if disposable.</summary>
    public required Func<string, int, IToolRunner> ToolRunnerFactory { get; init; }

    /// <summary>The task text of a scenario (sent as the first user message, with a per-run tag).</summary>
    public required Func<string, string> TaskFor { get; init; }

    /// <summary>Optional check after a run (e.g. run the real tests); null uses the last run_tests result.</summary>
    public Func<IToolRunner, CancellationToken, Task<bool>>? VerifyTests { get; init; }

    /// <summary>How often the <c>http-polling</c> arm asks whether a response has finished (<c>--poll-interval</c>). <value>250 ms</value></summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Cells in the matrix.</summary>
    public int CellCount => Scenarios.Count * Models.Count * Networks.Count * Arms.Count;
}

/// <summary>The transport arms: they differ only in what the transport makes the client re-send and the server re-process.</summary>
public static class BenchArms
{
    /// <summary>All arms, in report order.</summary>
    public static IReadOnlyList<string> All { get; } = ["http-stateless", "http-chained", "http-polling", "ws-full", "ws", "grpc"];

    /// <summary>All arms but <c>http-polling</c> (the quick matrix runs it in the long-haul cell only).</summary>
    public static IReadOnlyList<string> Streaming { get; } = [.. All.Where(a => a != "http-polling")];

    /// <summary>The session transport of an arm.</summary>
    /// <exception cref="ArgumentException">Unknown arm.</exception>
    public static Client.Sessions.SessionTransport Transport(string arm) => arm switch
    {
        "http-stateless" => Client.Sessions.SessionTransport.HttpStateless,
        "http-chained" => Client.Sessions.SessionTransport.HttpChained,
        "ws-full" => Client.Sessions.SessionTransport.WebSocketFullReplay,
        "ws" => Client.Sessions.SessionTransport.WebSocket,
        "http-polling" => Client.Sessions.SessionTransport.HttpPolling,
        "grpc" => Client.Sessions.SessionTransport.Grpc,
        _ => throw new ArgumentException($"Unknown arm '{arm}'. Known: {string.Join(", ", All)}.", nameof(arm)),
    };
}
