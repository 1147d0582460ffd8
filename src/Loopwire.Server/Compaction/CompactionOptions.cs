namespace Loopwire.Server.Compaction;

/// <summary>Options of compaction (<c>Loopwire:Compaction</c>).</summary>
public sealed class CompactionOptions
{
    /// <summary>
    /// Where the Data Protection keys that seal compaction items are kept. Several nodes must share it (or a compaction
    /// item made on one is refused by another with <c>encryption_key_unavailable</c>). <value>Null: Data Protection's
    /// default (a per-user directory, e.g. ~/.aspnet/DataProtection-Keys).</value>
    /// </summary>
    public string? KeysDirectory { get; set; }
}
