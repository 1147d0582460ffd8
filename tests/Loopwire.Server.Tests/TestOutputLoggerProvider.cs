using Xunit.Abstractions;

namespace Loopwire.Server.Tests;

/// <summary>Writes server logs to the output of the running test.</summary>
internal sealed class TestOutputLoggerProvider(Func<ITestOutputHelper?> output) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(output, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(Func<ITestOutputHelper?> output, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (output() is not { } helper)
            {
                return;
            }

            string line = $"{logLevel,-11} {category}: {formatter(state, exception)}";
            try
            {
                helper.WriteLine(exception is null ? line : line + Environment.NewLine + exception);
            }
            catch (InvalidOperationException)
            {
                // The test that owned this output has finished; a late log line (a request still ending) is dropped.
            }
        }
    }
}
