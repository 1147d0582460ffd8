namespace Loopwire.Bench.Network;

/// <summary>One direction of an emulated link.</summary>
/// <param name="OneWayDelay">Propagation delay.</param>
/// <param name="BitsPerSecond">Bandwidth; 0 = unlimited.</param>
/// <param name="Jitter">Extra random delay, uniform in [0, Jitter]; order is preserved (like TCP over a jittery path).</param>
public sealed record LinkDirection(TimeSpan OneWayDelay, long BitsPerSecond, TimeSpan Jitter)
{
    /// <summary>No delay, no limit.</summary>
    public static LinkDirection Unlimited { get; } = new(TimeSpan.Zero, 0, TimeSpan.Zero);

    /// <summary>Serialization time of <paramref name="bytes"/> at this bandwidth.</summary>
    public TimeSpan TransmitTime(long bytes) =>
        BitsPerSecond <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(bytes * 8.0 / BitsPerSecond);
}

/// <summary>A network profile: the two directions and how often connections drop.</summary>
/// <param name="Name">loopback, lan, wan, mobile (or a custom name).</param>
/// <param name="Up">Client to server.</param>
/// <param name="Down">Server to client.</param>
/// <param name="DropEveryTurns">On average, one connection drop per this many turns (0 = never). The benchmark draws
/// drops per turn from a seeded generator.</param>
public sealed record LinkProfile(string Name, LinkDirection Up, LinkDirection Down, double DropEveryTurns)
{
    /// <summary>The round-trip propagation time.</summary>
    public TimeSpan RoundTrip => Up.OneWayDelay + Down.OneWayDelay;

    /// <summary>No emulation (still proxied, so bytes are counted the same way).</summary>
    public static LinkProfile Loopback { get; } = new("loopback", LinkDirection.Unlimited, LinkDirection.Unlimited, 0);

    /// <summary>1 ms RTT, 1 Gbit/s.</summary>
    public static LinkProfile Lan { get; } = new("lan",
        new(TimeSpan.FromMilliseconds(0.5), 1_000_000_000, TimeSpan.Zero), new(TimeSpan.FromMilliseconds(0.5), 1_000_000_000, TimeSpan.Zero), 0);

    /// <summary>40 ms RTT, 50 Mbit/s down, 20 Mbit/s up, 2 ms jitter.</summary>
    public static LinkProfile Wan { get; } = new("wan",
        new(TimeSpan.FromMilliseconds(20), 20_000_000, TimeSpan.FromMilliseconds(2)), new(TimeSpan.FromMilliseconds(20), 50_000_000, TimeSpan.FromMilliseconds(2)), 0);

    /// <summary>120 ms RTT, 10 Mbit/s down, 5 up, 10 ms jitter, a drop about every 10 turns.</summary>
    public static LinkProfile Mobile { get; } = new("mobile",
        new(TimeSpan.FromMilliseconds(60), 5_000_000, TimeSpan.FromMilliseconds(10)), new(TimeSpan.FromMilliseconds(60), 10_000_000, TimeSpan.FromMilliseconds(10)), 10);

    /// <summary>The built-in profiles.</summary>
    public static IReadOnlyList<LinkProfile> BuiltIn { get; } = [Loopback, Lan, Wan, Mobile];

    /// <summary>Finds a built-in profile by name.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static LinkProfile Parse(string name) =>
        BuiltIn.FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown network profile '{name}'. Known: {string.Join(", ", BuiltIn.Select(p => p.Name))}.", nameof(name));
}
