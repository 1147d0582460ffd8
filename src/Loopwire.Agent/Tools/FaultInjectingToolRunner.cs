namespace Loopwire.Agent.Tools;

/// <summary>What <see cref="FaultInjectingToolRunner"/> injects. Validated when the runner is created.</summary>
public sealed class FaultInjectionOptions
{
    /// <summary>The probability that a call fails before it runs (no side effects). <value>Default 0.</value></summary>
    public double FailureRate { get; init; }

    /// <summary>The probability that a call is delayed by <see cref="LatencySpikeDelay"/> before it runs. <value>Default 0.</value></summary>
    public double LatencySpikeRate { get; init; }

    /// <summary>The extra delay of a latency spike. <value>Default 2 seconds.</value></summary>
    public TimeSpan LatencySpikeDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The probability that a call hangs: it never runs and completes only when its cancellation token fires (the
    /// agent's per-tool timeout). <value>Default 0.</value>
    /// </summary>
    public double HangRate { get; init; }

    /// <summary>The seed of the decisions. <value>Default 0.</value></summary>
    public int Seed { get; init; }

    internal void Validate()
    {
        Rate(FailureRate, nameof(FailureRate));
        Rate(LatencySpikeRate, nameof(LatencySpikeRate));
        Rate(HangRate, nameof(HangRate));
        ArgumentOutOfRangeException.ThrowIfLessThan(LatencySpikeDelay, TimeSpan.Zero, nameof(LatencySpikeDelay));

        static void Rate(double value, string name)
        {
            if (!(value is >= 0 and <= 1))
            {
                throw new ArgumentOutOfRangeException(name, value, "a rate must be between 0 and 1");
            }
        }
    }
}

/// <summary>The fault a call received.</summary>
public enum InjectedFault
{
    /// <summary>The call ran normally.</summary>
    None,

    /// <summary>The call failed before running.</summary>
    Failure,

    /// <summary>The call ran after an extra delay.</summary>
    LatencySpike,

    /// <summary>The call hung until cancelled.</summary>
    Hang,
}

/// <summary>A decorator that makes tools fail, slow down or hang, to measure the agent's robustness.</summary>
/// <remarks>
/// <para>
/// The n-th call (in the order <see cref="RunAsync"/> is invoked) gets a fault decided only by the seed and n, so a run
/// is reproducible. At most one fault per call, checked in this order: hang, failure, latency spike. A failure returns
/// <c>error: injected fault: tool temporarily unavailable</c> without running the tool.
/// </para>
/// <para>Delays and hangs use the <see cref="TimeProvider"/>. Thread-safe.</para>
/// </remarks>
public sealed class FaultInjectingToolRunner : DelegatingToolRunner
{
    /// <summary>The message of an injected failure (after the <c>error: </c> prefix).</summary>
    public const string FailureMessage = "injected fault: tool temporarily unavailable";

    private readonly FaultInjectionOptions _options;
    private readonly TimeProvider _time;
    private long _calls;
    private long _failures;
    private long _spikes;
    private long _hangs;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The runner that runs the calls that are not failed or hung.</param>
    /// <param name="options">What to inject.</param>
    /// <param name="timeProvider">The clock of the delays. <value>Default: <see cref="TimeProvider.System"/>.</value></param>
    /// <exception cref="ArgumentOutOfRangeException">A rate is outside [0, 1] or the spike delay is negative.</exception>
    public FaultInjectingToolRunner(IToolRunner inner, FaultInjectionOptions options, TimeProvider? timeProvider = null)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Calls made so far.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Calls failed so far.</summary>
    public long InjectedFailures => Interlocked.Read(ref _failures);

    /// <summary>Calls delayed so far.</summary>
    public long LatencySpikes => Interlocked.Read(ref _spikes);

    /// <summary>Calls hung so far.</summary>
    public long Hangs => Interlocked.Read(ref _hangs);

    /// <inheritdoc />
    public override async Task<ToolResult> RunAsync(ToolCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        long index = Interlocked.Increment(ref _calls) - 1;
        switch (FaultFor(index))
        {
            case InjectedFault.Hang:
                Interlocked.Increment(ref _hangs);
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, cancellationToken).ConfigureAwait(false);
                throw new OperationCanceledException(cancellationToken);
            case InjectedFault.Failure:
                Interlocked.Increment(ref _failures);
                return ToolResult.Error(FailureMessage);
            case InjectedFault.LatencySpike:
                Interlocked.Increment(ref _spikes);
                await Task.Delay(_options.LatencySpikeDelay, _time, cancellationToken).ConfigureAwait(false);
                break;
        }

        return await base.RunAsync(call, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns the fault of the call with this index (0-based, in invocation order).</summary>
    /// <param name="callIndex">The call's index.</param>
    /// <returns>The fault the call gets.</returns>
    public InjectedFault FaultFor(long callIndex)
    {
        var random = new StableRandom(_options.Seed, callIndex);
        double hang = random.NextDouble();
        double failure = random.NextDouble();
        double spike = random.NextDouble();
        if (hang < _options.HangRate)
        {
            return InjectedFault.Hang;
        }

        if (failure < _options.FailureRate)
        {
            return InjectedFault.Failure;
        }

        return spike < _options.LatencySpikeRate ? InjectedFault.LatencySpike : InjectedFault.None;
    }
}
