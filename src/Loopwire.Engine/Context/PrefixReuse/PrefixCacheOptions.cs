using System.ComponentModel.DataAnnotations;

namespace Loopwire.Engine.Context.PrefixReuse;

/// <summary>
/// The server-side prefix cache (<c>Loopwire:PrefixCache</c>): the rendered tokens of recent conversations, per tenant, so a
/// request that re-sends a known history renders only the items after the longest known prefix.
/// </summary>
public sealed class PrefixCacheOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Loopwire:PrefixCache";

    /// <summary>Whether requests look up and fill the prefix cache. <value>true</value></summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The memory all tenants' entries may hold together, in bytes; least recently used entries go first. <value>256 MiB</value></summary>
    [Range(0, long.MaxValue)]
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>The memory one tenant's entries may hold, in bytes; that tenant's least recently used entries go first. <value>64 MiB</value></summary>
    [Range(0, long.MaxValue)]
    public long MaxBytesPerTenant { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// The memory all tenants' parsed request items may hold together, in bytes (a replayed item is taken as parsed before
    /// instead of read again); one tenant's are bounded by <see cref="MaxBytesPerTenant"/> too. 0 turns it off. <value>128 MiB</value>
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxParsedItemBytes { get; set; } = 128L * 1024 * 1024;
}
