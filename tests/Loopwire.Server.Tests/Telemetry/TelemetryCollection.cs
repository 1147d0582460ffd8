namespace Loopwire.Server.Tests.Telemetry;

/// <summary>
/// The telemetry tests run alone: activity sources and meters are process-wide, so while a traced server lives, every
/// other server in the process creates spans too (and its exporter keeps them), which would skew tests that measure the heap.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
