namespace Loopwire.Fuzz;

/// <summary>The options of a fuzz run.</summary>
public sealed class FuzzOptions
{
    /// <summary>Inputs to send in total (HTTP requests plus WebSocket messages plus slowloris connections). <value>1000</value></summary>
    public int Count { get; set; } = 1000;

    /// <summary>The seed; the same seed sends the same inputs. <value>1</value></summary>
    public int Seed { get; set; } = 1;

    /// <summary>Send HTTP requests. <value>true</value></summary>
    public bool Http { get; set; } = true;

    /// <summary>Send WebSocket messages. <value>true</value></summary>
    public bool WebSocket { get; set; } = true;

    /// <summary>Concurrent connections. <value>8</value></summary>
    public int Concurrency { get; set; } = 8;

    /// <summary>The model named in valid bodies. <value>sim-instant</value></summary>
    public string Model { get; set; } = "sim-instant";

    /// <summary>How long one input may take before it counts as a hang. <value>20 seconds</value></summary>
    public TimeSpan CaseTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The whole run stops after this long, whatever <see cref="Count"/> says. <value>15 minutes</value></summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The size of huge strings. <value>1 MiB</value></summary>
    public int HugeStringBytes { get; set; } = 1024 * 1024;

    /// <summary>The size of oversized WebSocket messages: above the server's <c>WebSocket:MaxMessageBytes</c>. <value>16 MiB + 1</value></summary>
    public int OversizedMessageBytes { get; set; } = 16 * 1024 * 1024 + 1;

    /// <summary>Deep nesting goes up to 1000 plus this many levels. <value>20,000</value></summary>
    public int MaxNestingDepth { get; set; } = 20_000;

    /// <summary>One input in this many may be huge (a huge string or an oversized message). <value>500</value></summary>
    public int HugeEvery { get; set; } = 500;

    /// <summary>Slowloris connections (needs <see cref="FuzzTarget.RawEndpoint"/>); each counts as one input. <value>8</value></summary>
    public int SlowlorisConnections { get; set; } = 8;

    /// <summary>How long each slowloris connection dribbles bytes. <value>3 seconds</value></summary>
    public TimeSpan SlowlorisDuration { get; set; } = TimeSpan.FromSeconds(3);
}
