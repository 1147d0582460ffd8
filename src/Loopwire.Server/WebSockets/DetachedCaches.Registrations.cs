using Loopwire.Engine.Context;

namespace Loopwire.Server.WebSockets;

/// <summary>The detached caches' registrations: connections detaching, connections that may hold a response, and their handles.</summary>
internal sealed partial class DetachedCaches
{
    /// <summary>The connections of one tenant that are detaching, and the signal that they are all done.</summary>
    private sealed class Detaching
    {
        public int Count { get; set; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class DetachHandle(DetachedCaches owner, string key, Detaching pending) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.EndDetach(key, pending);
            }
        }
    }

    /// <summary>An open connection that may hold the response a reconnect asks for.</summary>
    internal sealed class Holder(Func<string, bool> holds)
    {
        public Func<string, bool> Holds { get; } = holds;

        public TaskCompletionSource Gone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// An open connection's view of the detached caches: the same take-over and waits, except that it never waits for
    /// itself. Disposing it ends the connection's registration (after its caches were handed over on a drop).
    /// </summary>
    internal sealed class Attachment : IDetachedContexts, IDisposable
    {
        private readonly DetachedCaches _owner;
        private readonly string _key;
        private readonly Holder? _holder;
        private int _disposed;

        internal Attachment(DetachedCaches owner, string key, Holder? holder)
        {
            _owner = owner;
            _key = key;
            _holder = holder;
        }

        /// <summary>The detached caches themselves (a drop hands the connection's caches to them).</summary>
        public DetachedCaches Caches => _owner;

        public ConversationState? TryTakeOver(string? tenant, string responseId) => _owner.TryTakeOver(tenant, responseId);

        public Task<bool> WaitForDetachingAsync(string? tenant, CancellationToken cancellationToken) =>
            _owner.WaitForDetachingAsync(tenant, cancellationToken);

        public Task<bool> WaitForHolderAsync(string? tenant, string responseId, CancellationToken cancellationToken) =>
            _owner.WaitForHolderAsync(tenant, responseId, _holder, cancellationToken);

        public void Dispose()
        {
            if (_holder is not null && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _owner.Release(_key, _holder);
            }
        }
    }
}
