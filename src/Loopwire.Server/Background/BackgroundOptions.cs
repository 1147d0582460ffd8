using System.ComponentModel.DataAnnotations;

namespace Loopwire.Server.Background;

/// <summary>
/// Background responses (<c>Loopwire:Background</c>): how their events are kept for <c>GET ?stream=true</c>, and how
/// the nodes sharing a store keep track of who runs what.
/// </summary>
public sealed class BackgroundOptions
{
    /// <summary>
    /// Events kept per background response, in memory on the node that runs it and in the store's event log. Older
    /// events are dropped as new ones arrive, and a replay that starts before the oldest kept event is refused with a
    /// 400 <c>starting_after_out_of_range</c> that names this limit. <value>10,000</value>
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxBufferedEvents { get; set; } = 10_000;

    /// <summary>
    /// How long the events of a finished background response stay replayable; the stored response itself stays in
    /// the store. <value>10 minutes</value>
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// This node's name in leases and in the error of a run whose node died; empty for <c>HOST-PID-XXXX</c>
    /// (host name, process id and a random suffix). <value>empty</value>
    /// </summary>
    public string? NodeId { get; set; }

    /// <summary>
    /// How long a node's lease on a running background response lasts without renewal. Once it lapses, any node marks the
    /// response <c>failed</c> (<c>node_lost</c>). At least twice <see cref="LeaseRenewInterval"/>. <value>30 seconds</value>
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the running node renews its leases (and sees cancel requests it missed), and how often each node
    /// looks for expired leases. <value>10 seconds</value>
    /// </summary>
    public TimeSpan LeaseRenewInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often a stream of a response that runs on another node polls the store's event log for new events (and a
    /// cancel request waits for the other node's final status). <value>200 milliseconds</value>
    /// </summary>
    public TimeSpan FollowPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);
}
