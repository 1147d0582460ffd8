using System.Diagnostics;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Engine;

public sealed partial class ResponseEngine
{
    /// <summary>
    /// The stream of a response inside its <c>stream</c> stage: when it is disposed, the stage is timed from the first output
    /// event, the response's span and metrics end and its conversation is released.
    /// </summary>
    /// <remarks>
    /// A thin enumerator rather than an async iterator around the core stream: it hands each event on without a state machine
    /// of its own (a turn has ~80 events). It can be enumerated once.
    /// </remarks>
    private sealed class TracedStream(ResponseEngine engine, PreparedResponse p, CancellationToken ct) : IAsyncEnumerable<ResponseEvent>, IAsyncEnumerator<ResponseEvent>
    {
        private IAsyncEnumerator<ResponseEvent>? _inner;
        private long _start;
        private int _taken;
        private bool _disposed;

        public ResponseEvent Current { get; private set; } = null!;

        public IAsyncEnumerator<ResponseEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _taken, 1) != 0)
            {
                throw new InvalidOperationException("A response's stream can be enumerated once.");
            }

            _inner = engine.StreamCoreAsync(p, ct).GetAsyncEnumerator(cancellationToken);
            return this;
        }

        public ValueTask<bool> MoveNextAsync()
        {
            var next = _inner!.MoveNextAsync();
            return next.IsCompletedSuccessfully ? new ValueTask<bool>(Took(next.Result)) : AwaitedAsync(next);
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                if (_inner is not null)
                {
                    await _inner.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                // From the first output event to the end: what the client waited for while output streamed.
                EngineTelemetry.Stage(p.Timings, "stream", _start == 0 ? Stopwatch.GetTimestamp() : _start, Stopwatch.GetTimestamp());
                engine._telemetry.Ended(p);
                if (p.Conversation is { } conversation)
                {
                    await conversation.ReleaseAsync().ConfigureAwait(false);
                }
            }
        }

        private async ValueTask<bool> AwaitedAsync(ValueTask<bool> next) => Took(await next.ConfigureAwait(false));

        private bool Took(bool more)
        {
            if (more)
            {
                Current = _inner!.Current;
                if (_start == 0 && Current is not (ResponseCreatedEvent or ResponseInProgressEvent))
                {
                    _start = Stopwatch.GetTimestamp();
                }
            }

            return more;
        }
    }
}
