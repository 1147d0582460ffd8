using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Loopwire.TestKit;

/// <summary>One captured log line.</summary>
public sealed record LogEntry(string Category, LogLevel Level, int EventId, string Message, Exception? Exception);

/// <summary>Captures log lines for assertions and mirrors them to the output of the running test.</summary>
/// <remarks>Thread-safe. <see cref="Output"/> may be swapped between tests (one host shared by a test class).</remarks>
public sealed class CapturingLoggerProvider(ITestOutputHelper? output = null) : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ITestOutputHelper? _output = output;

    /// <summary>Where lines are mirrored; null only captures them.</summary>
    public ITestOutputHelper? Output
    {
        get => _output;
        set => _output = value;
    }

    /// <summary>Whether lines are kept in <see cref="Entries"/>; off for long runs (fuzz, soak) that only mirror them.</summary>
    /// <value>On.</value>
    public bool Capture { get; set; } = true;

    /// <summary>Every line so far, in order.</summary>
    public IReadOnlyCollection<LogEntry> Entries => _entries;

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <summary>Waits until a captured line matches; null when <paramref name="timeout"/> passes first (a hang guard, not a timing assertion).</summary>
    public async Task<LogEntry?> WaitForAsync(Func<LogEntry, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            var hit = _entries.FirstOrDefault(match);
            if (hit is not null)
            {
                return hit;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                return _entries.FirstOrDefault(match);
            }
        }
    }

    private void Add(LogEntry entry)
    {
        if (Capture)
        {
            _entries.Enqueue(entry);
            Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }

        if (_output is not { } helper)
        {
            return;
        }

        try
        {
            helper.WriteLine($"{entry.Level} {entry.Category}[{entry.EventId}] {entry.Message}{(entry.Exception is null ? "" : " " + entry.Exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test that owned this output has finished; a late line (a request still ending) is dropped.
        }
    }

    private sealed class Logger(CapturingLoggerProvider sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Add(new LogEntry(category, logLevel, eventId.Id, formatter(state, exception), exception));
    }
}
