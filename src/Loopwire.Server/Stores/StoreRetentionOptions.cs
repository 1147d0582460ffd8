using System.ComponentModel.DataAnnotations;

namespace Loopwire.Server.Stores;

/// <summary>Retention of stored responses, bound from the children of <c>Loopwire:Store</c> (whose own value is the store spec).</summary>
/// <remarks>
/// Configuration allows a key with both a value and children: <c>Loopwire:Store=postgres:…</c> and
/// <c>Loopwire:Store:RetentionDays=30</c> (env <c>Loopwire__Store</c>, <c>Loopwire__Store__RetentionDays</c>) live side by side.
/// </remarks>
public sealed class StoreRetentionOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Loopwire:Store";

    /// <summary>Days a stored response is kept after it was created; 0 keeps responses forever. <value>0</value></summary>
    [Range(0, 36_500)]
    public int RetentionDays { get; set; }

    /// <summary>Minutes between two sweeps of expired responses. <value>60</value></summary>
    [Range(1, 10_080)]
    public int SweepIntervalMinutes { get; set; } = 60;
}
