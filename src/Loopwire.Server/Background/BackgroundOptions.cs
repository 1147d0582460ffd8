using System.ComponentModel.DataAnnotations;

namespace Loopwire.Server.Background;

/// <summary>Background responses (<c>Loopwire:Background</c>): how their events are kept for <c>GET ?stream=true</c>.</summary>
public sealed class BackgroundOptions
{
    /// <summary>
    /// Events kept in memory per background response. Older events are dropped as new ones arrive, and a replay that
    /// starts before the oldest kept event is refused with a 400 that names this limit. <value>10,000</value>
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxBufferedEvents { get; set; } = 10_000;

    /// <summary>
    /// How long the events of a finished background response stay replayable; the stored response itself stays in
    /// the store. <value>10 minutes</value>
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromMinutes(10);
}
