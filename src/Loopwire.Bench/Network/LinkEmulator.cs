using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Loopwire.Bench.Network;

/// <summary>
/// A TCP proxy on loopback that emulates a link between the client and the server: per-direction one-way delay,
/// bandwidth (a serial queue: each chunk departs after the previous one and takes size/rate), jitter (order kept),
/// and connection drops (all connections reset at once, on request).
/// </summary>
/// <remarks>
/// Step 1 a pump reads what one side sends and stamps each chunk with its delivery time
/// (departure = max(arrival, previous departure) + size/rate; delivery = departure + delay + jitter, never before the
/// previous delivery); Step 2 a writer waits for each delivery time and writes the chunk to the other side.
/// Thread-safe. Everything stays on the loopback interface.
/// </remarks>
public sealed class LinkEmulator : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Connection, byte> _connections = new();
    private readonly Task _acceptLoop;
    private readonly Random _random;
    private long _bytesUp;
    private long _bytesDown;
    private int _drops;
    private int _accepted;

    /// <summary>Starts a proxy on 127.0.0.1 (a free port) forwarding to <paramref name="target"/>.</summary>
    public LinkEmulator(IPEndPoint target, LinkProfile profile, int seed = 1)
    {
        _target = target;
        Profile = profile;
        _random = new Random(seed);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The emulated link.</summary>
    public LinkProfile Profile { get; }

    /// <summary>The address clients connect to.</summary>
    public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Bytes that crossed client → server.</summary>
    public long BytesUp => Interlocked.Read(ref _bytesUp);

    /// <summary>Bytes that crossed server → client.</summary>
    public long BytesDown => Interlocked.Read(ref _bytesDown);

    /// <summary>Connections dropped so far.</summary>
    public int Drops => Volatile.Read(ref _drops);

    /// <summary>Open connections.</summary>
    public int OpenConnections => _connections.Count;

    /// <summary>Client connections accepted so far (TCP connections opened through the link).</summary>
    public int ConnectionsOpened => Volatile.Read(ref _accepted);

    /// <summary>Resets every open connection (both sides see a reset, as after a network change).</summary>
    public int DropAll()
    {
        int n = 0;
        foreach (var c in _connections.Keys)
        {
            c.Drop();
            n++;
        }

        Interlocked.Add(ref _drops, n);
        return n;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        foreach (var c in _connections.Keys)
        {
            c.Drop();
        }

        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(Socket client)
    {
#pragma warning disable CA2000 // Disposed when the connect fails; otherwise the Connection owns it and closes it.
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
#pragma warning restore CA2000
        client.NoDelay = true;
        try
        {
            await server.ConnectAsync(_target, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
            client.Close(0);
            server.Dispose();
            return;
        }

        int seed;
        lock (_random)
        {
            seed = _random.Next();
        }

        var connection = new Connection(client, server);
        _connections[connection] = 0;
        Interlocked.Increment(ref _accepted);
        try
        {
            var up = PumpAsync(client, server, Profile.Up, new Random(seed), b => Interlocked.Add(ref _bytesUp, b), connection);
            var down = PumpAsync(server, client, Profile.Down, new Random(seed ^ 0x5bd1e995), b => Interlocked.Add(ref _bytesDown, b), connection);
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            connection.Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to, LinkDirection link, Random random, Action<long> count, Connection connection)
    {
        var queue = Channel.CreateUnbounded<(byte[] Data, int Length, long DeliverAt)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writer = WriteLoopAsync(to, queue.Reader, connection);
        long lastDeparture = 0;
        long lastDelivery = 0;
        try
        {
            while (true)
            {
                var buffer = new byte[64 * 1024];
                int n;
                try
                {
                    n = await from.ReceiveAsync(buffer, SocketFlags.None, connection.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    break;
                }

                if (n == 0)
                {
                    break;
                }

                count(n);
                long now = Stopwatch.GetTimestamp();
                long departure = Math.Max(now, lastDeparture) + Ticks(link.TransmitTime(n));
                long jitter = link.Jitter > TimeSpan.Zero ? Ticks(link.Jitter * random.NextDouble()) : 0;
                long delivery = Math.Max(departure + Ticks(link.OneWayDelay) + jitter, lastDelivery);
                lastDeparture = departure;
                lastDelivery = delivery;
                queue.Writer.TryWrite((buffer, n, delivery));
            }
        }
        finally
        {
            queue.Writer.TryComplete();
            await writer.ConfigureAwait(false);
        }
    }

    private static async Task WriteLoopAsync(Socket to, ChannelReader<(byte[] Data, int Length, long DeliverAt)> queue, Connection connection)
    {
        try
        {
            await foreach (var (data, length, deliverAt) in queue.ReadAllAsync(connection.Token).ConfigureAwait(false))
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deliverAt);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, connection.Token).ConfigureAwait(false);
                }

                int sent = 0;
                while (sent < length)
                {
                    sent += await to.SendAsync(data.AsMemory(sent, length - sent), SocketFlags.None, connection.Token).ConfigureAwait(false);
                }
            }

            // The sender finished cleanly: pass the end of stream on.
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            connection.Drop();
        }
    }

    private static long Ticks(TimeSpan t) => (long)(t.TotalSeconds * Stopwatch.Frequency);

    private sealed class Connection(Socket client, Socket server) : IDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private int _dropped;

        public CancellationToken Token => _cts.Token;

        public void Drop()
        {
            if (Interlocked.Exchange(ref _dropped, 1) == 1)
            {
                return;
            }

            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }

            // Linger 0 makes Close send a reset, as a dropped mobile connection looks to both ends.
            foreach (var socket in (ReadOnlySpan<Socket>)[client, server])
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                }

                socket.Close();
            }
        }

        public void Dispose()
        {
            Drop();
            _cts.Dispose();
        }
    }
}
