using Loopwire.Bench.Overhead;

namespace Loopwire.Bench.Load;

/// <summary>One client session of a load arm.</summary>
internal interface ILoadSession : IAsyncDisposable
{
    /// <summary>Frame sizes per turn (set-up first), when recording for the ceiling.</summary>
    List<int[]>? Shapes { get; }

    /// <summary>Messages received in measured turns.</summary>
    long MeasuredFrames { get; }

    /// <summary>Payload bytes received in measured turns.</summary>
    long MeasuredBytes { get; }

    /// <summary>Makes continuation turn <paramref name="turn"/>: one short user message after everything before.</summary>
    Task TurnAsync(int turn, bool measured, CancellationToken ct);
}

/// <summary>Opens sessions of each arm and sends their history.</summary>
internal static class LoadSessions
{
    private static readonly byte[] CreatePrefix = "{\"type\":\"response.create\","u8.ToArray();

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope",
        Justification = "The session owns the socket or client and is disposed when its set-up fails.")]
    public static async Task<ILoadSession> OpenAsync(string arm, LoadTarget target, int index, IReadOnlyList<byte[]> history, string model,
        bool record, CancellationToken ct)
    {
        switch (arm)
        {
            case "ws" or "ceiling":
            {
                var uri = LoadSocket.ResponsesUri(target.BaseUrl, arm == "ceiling" ? $"session={index}" : null);
                var socket = await LoadSocket.ConnectAsync(uri, target.ApiKey, ct).ConfigureAwait(false);
                var session = new SocketSession(socket, model, record);
                try
                {
                    await session.SetUpAsync(history, ct).ConfigureAwait(false);
                    return session;
                }
                catch
                {
                    await session.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }

            case "http-chained" or "http-stateless":
            {
                var session = new HttpSession(new RawHttpClient(target.BaseUrl, target.ApiKey), model, chained: arm == "http-chained", history);
                try
                {
                    await session.SetUpAsync(ct).ConfigureAwait(false);
                    return session;
                }
                catch
                {
                    await session.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }

            default:
                throw new ArgumentException($"Unknown arm '{arm}'.", nameof(arm));
        }
    }

    /// <summary>A <c>response.create</c> message from a request body (<c>{"model":...}</c>).</summary>
    internal static byte[] CreateMessage(byte[] body)
    {
        var message = new byte[CreatePrefix.Length + body.Length - 1];
        CreatePrefix.CopyTo(message, 0);
        body.AsSpan(1).CopyTo(message.AsSpan(CreatePrefix.Length));
        return message;
    }

    internal static byte[] TurnItem(int turn) =>
        HistoryBuilder.UserMessage($"Turn {turn}: please continue with the next step and report what you found.");

    private sealed class SocketSession(LoadSocket socket, string model, bool record) : ILoadSession
    {
        private readonly List<int>? _frames = record ? [] : null;
        private string? _previous;

        public List<int[]>? Shapes { get; } = record ? [] : null;

        public long MeasuredFrames { get; private set; }

        public long MeasuredBytes { get; private set; }

        public async Task SetUpAsync(IReadOnlyList<byte[]> history, CancellationToken ct)
        {
            var body = OverheadBenchmark.Body(model, store: false, previous: null, history, generate: null);
            await SendAsync(body, measured: false, ct).ConfigureAwait(false);
        }

        public Task TurnAsync(int turn, bool measured, CancellationToken ct) =>
            SendAsync(OverheadBenchmark.Body(model, store: false, _previous, [TurnItem(turn)], generate: null), measured, ct);

        public ValueTask DisposeAsync() => socket.DisposeAsync();

        private async Task SendAsync(byte[] body, bool measured, CancellationToken ct)
        {
            _frames?.Clear();
            var outcome = await socket.SendAsync(CreateMessage(body), _frames, ct).ConfigureAwait(false);
            _previous = outcome.Id;
            Shapes?.Add([.. _frames!]);
            if (measured)
            {
                MeasuredFrames += outcome.Frames;
                MeasuredBytes += outcome.Bytes;
            }
        }
    }

    private sealed class HttpSession(RawHttpClient client, string model, bool chained, IReadOnlyList<byte[]> history) : ILoadSession
    {
        private readonly List<byte[]> _local = [.. history];
        private string? _previous;

        public List<int[]>? Shapes => null;

        public long MeasuredFrames => 0;

        public long MeasuredBytes => 0;

        public async Task SetUpAsync(CancellationToken ct)
        {
            if (chained)
            {
                var r = await client.SendAsync(OverheadBenchmark.Body(model, store: true, previous: null, _local, generate: null), ct).ConfigureAwait(false);
                _previous = r.Id;
                _local.Clear();
            }
        }

        public async Task TurnAsync(int turn, bool measured, CancellationToken ct)
        {
            var item = TurnItem(turn);
            if (chained)
            {
                var r = await client.SendAsync(OverheadBenchmark.Body(model, store: true, _previous, [item], generate: null), ct).ConfigureAwait(false);
                _previous = r.Id;
            }
            else
            {
                _local.Add(item);
                var r = await client.SendAsync(OverheadBenchmark.Body(model, store: false, previous: null, _local, generate: null), ct).ConfigureAwait(false);
                _local.AddRange(r.Output);
            }
        }

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }
}
