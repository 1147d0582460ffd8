namespace Loopwire.Agent.Tools;

/// <summary>Limits of <see cref="WorkspaceToolRunner"/>. Validated when the runner is created.</summary>
public sealed class WorkspaceToolOptions
{
    /// <summary>The most paths <c>list_files</c> returns. <value>Default 500.</value></summary>
    public int MaxListedFiles { get; init; } = 500;

    /// <summary>The cap on any tool output, in UTF-8 bytes. <value>Default 64 KiB.</value></summary>
    public int MaxOutputBytes { get; init; } = 64 * 1024;

    /// <summary>The <c>max_matches</c> of <c>grep</c> when the model gives none. <value>Default 50.</value></summary>
    public int DefaultMaxMatches { get; init; } = 50;

    /// <summary>The highest <c>max_matches</c> a model may ask for. <value>Default 500.</value></summary>
    public int MaxMatchesLimit { get; init; } = 500;

    /// <summary>The time a <c>grep</c> regex may spend on one line. <value>Default 1 second.</value></summary>
    public TimeSpan RegexTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Files larger than this are skipped by <c>grep</c> and refused by <c>read_file</c>. <value>Default 8 MiB.</value></summary>
    public int MaxFileBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>How many of the last output lines <c>run_tests</c> returns. <value>Default 60.</value></summary>
    public int TestOutputTailLines { get; init; } = 60;

    /// <summary>The cap on the output tail of <c>run_tests</c>, in UTF-8 bytes. <value>Default 16 KiB.</value></summary>
    public int TestOutputTailBytes { get; init; } = 16 * 1024;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxListedFiles, 1, nameof(MaxListedFiles));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutputBytes, 1024, nameof(MaxOutputBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(DefaultMaxMatches, 1, nameof(DefaultMaxMatches));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMatchesLimit, DefaultMaxMatches, nameof(MaxMatchesLimit));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RegexTimeout, TimeSpan.Zero, nameof(RegexTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFileBytes, 1, nameof(MaxFileBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(TestOutputTailLines, 1, nameof(TestOutputTailLines));
        ArgumentOutOfRangeException.ThrowIfLessThan(TestOutputTailBytes, 1024, nameof(TestOutputTailBytes));
    }
}
