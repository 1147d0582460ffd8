using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Loopwire.Bench.Network;

namespace Loopwire.Bench.Tests.Network;

/// <summary>
/// The link emulator against an echo server on loopback. Delay and throughput are checked with coarse bounds: a lower
/// bound physics guarantees (the emulator must not be faster than the link) and a generous upper bound against hangs.
/// </summary>
public sealed class LinkEmulatorTests : IAsyncLifetime
{
    private readonly TcpListener _echo = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private Task? _echoLoop;

    public Task InitializeAsync()
    {
        _echo.Start();
        _echoLoop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket s;
                try
                {
                    s = await _echo.AcceptSocketAsync(_stop.Token);
                }
                catch (Exception)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    var buf = new byte[64 * 1024];
                    try
                    {
                        int n;
                        while ((n = await s.ReceiveAsync(buf, SocketFlags.None)) > 0)
                        {
                            await s.SendAsync(buf.AsMemory(0, n), SocketFlags.None);
                        }
                    }
                    catch (SocketException)
                    {
                    }
                    finally
                    {
                        s.Dispose();
                    }
                });
            }
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _echo.Stop();
        await _echoLoop!;
    }

    private IPEndPoint EchoEndpoint => (IPEndPoint)_echo.LocalEndpoint;

    private static async Task<Socket> ConnectAsync(LinkEmulator link)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await s.ConnectAsync(link.Endpoint);
        return s;
    }

    private static async Task<byte[]> RoundTripAsync(Socket s, byte[] payload)
    {
        await s.SendAsync(payload, SocketFlags.None);
        var back = new byte[payload.Length];
        int got = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (got < back.Length)
        {
            int n = await s.ReceiveAsync(back.AsMemory(got), SocketFlags.None, cts.Token);
            Assert.True(n > 0, "connection closed early");
            got += n;
        }

        return back;
    }

    [Fact]
    public async Task Proxy_Loopback_PassesBytesUnchangedAndCountsThem()
    {
        await using var link = new LinkEmulator(EchoEndpoint, LinkProfile.Loopback);
        using var s = await ConnectAsync(link);
        var payload = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();

        var back = await RoundTripAsync(s, payload);

        Assert.Equal(payload, back);
        Assert.Equal(100_000, link.BytesUp);
        Assert.Equal(100_000, link.BytesDown);
    }

    [Fact]
    public async Task Proxy_OneWayDelay_RoundTripIsAtLeastTwiceTheDelay()
    {
        var d = new LinkDirection(TimeSpan.FromMilliseconds(60), 0, TimeSpan.Zero);
        await using var link = new LinkEmulator(EchoEndpoint, new LinkProfile("test", d, d, 0));
        using var s = await ConnectAsync(link);
        await RoundTripAsync(s, [1]);

        var sw = Stopwatch.StartNew();
        await RoundTripAsync(s, [2]);
        sw.Stop();

        Assert.InRange(sw.Elapsed, TimeSpan.FromMilliseconds(115), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Proxy_Bandwidth_TransferTakesAtLeastSizeOverRate()
    {
        // 400 KB up at 8 Mbit/s is 0.4 s; the echo back is unlimited.
        var up = new LinkDirection(TimeSpan.Zero, 8_000_000, TimeSpan.Zero);
        await using var link = new LinkEmulator(EchoEndpoint, new LinkProfile("test", up, LinkDirection.Unlimited, 0));
        using var s = await ConnectAsync(link);
        var payload = new byte[400_000];

        var sw = Stopwatch.StartNew();
        await RoundTripAsync(s, payload);
        sw.Stop();

        Assert.InRange(sw.Elapsed, TimeSpan.FromMilliseconds(380), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Proxy_Jitter_KeepsOrder()
    {
        var d = new LinkDirection(TimeSpan.FromMilliseconds(1), 0, TimeSpan.FromMilliseconds(20));
        await using var link = new LinkEmulator(EchoEndpoint, new LinkProfile("test", d, d, 0), seed: 42);
        using var s = await ConnectAsync(link);
        var sent = new List<byte>();
        for (int i = 0; i < 50; i++)
        {
            await s.SendAsync(new[] { (byte)i }, SocketFlags.None);
            sent.Add((byte)i);
        }

        var back = new byte[50];
        int got = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (got < 50)
        {
            got += await s.ReceiveAsync(back.AsMemory(got), SocketFlags.None, cts.Token);
        }

        Assert.Equal(sent, back);
    }

    [Fact]
    public async Task DropAll_OpenConnection_IsResetAndCounted()
    {
        await using var link = new LinkEmulator(EchoEndpoint, LinkProfile.Loopback);
        using var s = await ConnectAsync(link);
        await RoundTripAsync(s, [1, 2, 3]);

        Assert.Equal(1, link.DropAll());

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[16];
        int n = -1;
        try
        {
            n = await s.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
        }
        catch (SocketException)
        {
            n = 0;
        }

        Assert.Equal(0, n);
        Assert.Equal(1, link.Drops);
    }
}
