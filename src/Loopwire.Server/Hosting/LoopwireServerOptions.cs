using System.ComponentModel.DataAnnotations;

namespace Loopwire.Server.Hosting;

/// <summary>Server options, bound from the <c>Loopwire</c> configuration section.</summary>
public sealed class LoopwireServerOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Loopwire";

    /// <summary>Where stored responses go: <c>memory</c> or <c>sqlite:PATH</c>. <value>sqlite:loopwire.db</value></summary>
    [Required]
    public string Store { get; set; } = "sqlite:loopwire.db";

    /// <summary>The simulated profile used for model names that are not a profile. <value>sim-spark</value></summary>
    [Required]
    public string DefaultModelProfile { get; set; } = "sim-spark";

    /// <summary>The largest request body accepted, in bytes. <value>64 MiB</value></summary>
    [Range(1024, long.MaxValue)]
    public long MaxRequestBodyBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The most input items in one request. <value>10,000</value></summary>
    [Range(1, int.MaxValue)]
    public int MaxItemsPerRequest { get; set; } = 10_000;

    /// <summary>The largest context in tokens. <value>1,000,000</value></summary>
    [Range(1, int.MaxValue)]
    public int MaxContextTokens { get; set; } = 1_000_000;

    /// <summary>Whether SSE streams end with a <c>data: [DONE]</c> line. <value>false</value></summary>
    public bool SseDoneSentinel { get; set; }
}
