using Loopwire.Server.Http;

namespace Loopwire.Server.Tests.WebSockets;

/// <summary>The transport under a connection's socket: corked writes leave together, in order, and nothing is held across an uncork.</summary>
public sealed class CorkableStreamTests
{
    [Fact]
    public async Task Uncorked_WritesGoThroughAtOnce()
    {
        var inner = new RecordingStream();
        using var stream = new CorkableStream(inner);

        await stream.WriteAsync("ab"u8.ToArray());
        await stream.FlushAsync();

        Assert.Equal(["ab"], inner.Writes);
        Assert.Equal(1, inner.Flushes);
    }

    [Fact]
    public async Task Corked_WritesAndFlushesAreHeldThenLeaveInOneWriteInOrder()
    {
        var inner = new RecordingStream();
        using var stream = new CorkableStream(inner);

        stream.Cork();
        await stream.WriteAsync("one "u8.ToArray());
        await stream.FlushAsync(); // the socket flushes after every frame: held too
        await stream.WriteAsync("two "u8.ToArray());
        await stream.WriteAsync("three"u8.ToArray());
        Assert.Empty(inner.Writes);
        Assert.Equal(0, inner.Flushes);
        Assert.Equal(13, stream.Pending);

        await stream.UncorkAsync();

        Assert.Equal(["one two three"], inner.Writes);
        Assert.Equal(1, inner.Flushes);
        Assert.Equal(0, stream.Pending);

        // Uncorked again: the next write goes straight through, and an uncork with nothing held writes nothing.
        await stream.WriteAsync("four"u8.ToArray());
        await stream.UncorkAsync();
        Assert.Equal(["one two three", "four"], inner.Writes);
    }

    [Fact]
    public async Task Corked_WritePastTheLimit_SendsWhatWasHeldThenItself()
    {
        var inner = new RecordingStream();
        using var stream = new CorkableStream(inner);
        var big = new byte[CorkableStream.MaxCorkedBytes];
        big.AsSpan().Fill((byte)'x');

        stream.Cork();
        await stream.WriteAsync("head"u8.ToArray());
        await stream.WriteAsync(big);

        Assert.Equal(["head", new string('x', big.Length)], inner.Writes);
        Assert.Equal(0, stream.Pending);

        // Still corked: later writes are held again.
        await stream.WriteAsync("tail"u8.ToArray());
        Assert.Equal(2, inner.Writes.Count);
        await stream.UncorkAsync();
        Assert.Equal("tail", inner.Writes[^1]);
    }

    [Fact]
    public async Task WriteWhileAnUncorkWaitsForThePeer_GoesOutAfterIt()
    {
        var peer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new RecordingStream { Gate = peer };
        using var stream = new CorkableStream(inner);

        stream.Cork();
        await stream.WriteAsync("held"u8.ToArray());
        var uncork = stream.UncorkAsync().AsTask();
        Assert.False(uncork.IsCompleted); // the peer does not read

        // A control frame written meanwhile (from another thread, as a pong is) waits its turn.
        var pong = stream.WriteAsync("pong"u8.ToArray()).AsTask();
        Assert.False(pong.IsCompleted);

        peer.SetResult();
        await Task.WhenAll(uncork, pong).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(["held", "pong"], inner.Writes);
    }

    [Fact]
    public async Task WritesHeldWhileAnotherWriteIsInFlight_LeaveAtTheNextUncork()
    {
        var peer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new RecordingStream { Gate = peer };
        using var stream = new CorkableStream(inner);

        stream.Cork();
        await stream.WriteAsync("first"u8.ToArray());
        var uncork = stream.UncorkAsync().AsTask();
        stream.Cork();
        await stream.WriteAsync("second"u8.ToArray()); // held: the write in flight already took "first"
        peer.SetResult();
        await uncork.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(["first"], inner.Writes);

        await stream.UncorkAsync();
        Assert.Equal(["first", "second"], inner.Writes);
    }

    [Fact]
    public async Task Reads_GoToTheTransport()
    {
        var inner = new RecordingStream { ToRead = "hello"u8.ToArray() };
        using var stream = new CorkableStream(inner);
        var buffer = new byte[16];

        int n = await stream.ReadAsync(buffer);

        Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(buffer, 0, n));
    }

    [Fact]
    public async Task Dispose_DisposesTheTransport_AndDropsWhatWasHeld()
    {
        var inner = new RecordingStream();
        var stream = new CorkableStream(inner);
        stream.Cork();
        await stream.WriteAsync("never sent"u8.ToArray());

        await stream.DisposeAsync();

        Assert.True(inner.Disposed);
        Assert.Empty(inner.Writes);
        Assert.Equal(0, stream.Pending);
    }

    [Fact]
    public async Task LeaveOpen_DisposeKeepsTheTransport()
    {
        var inner = new RecordingStream();
        await using (var stream = new CorkableStream(inner, leaveOpen: true))
        {
            stream.Cork();
            await stream.WriteAsync("x"u8.ToArray());
            await stream.UncorkAsync();
        }

        Assert.False(inner.Disposed);
        Assert.Equal(["x"], inner.Writes);
    }

    /// <summary>Records each write as text; <see cref="Gate"/>, when set, holds the first write until it completes.</summary>
    internal sealed class RecordingStream : Stream
    {
        private readonly Lock _sync = new();

        public List<string> Writes { get; } = [];

        public List<byte[]> Bytes { get; } = [];

        public int Flushes { get; private set; }

        public TaskCompletionSource? Gate { get; set; }

        /// <summary>When set, every write signals it and fails as a transport whose peer is gone does.</summary>
        public TaskCompletionSource? FailWrites { get; set; }

        public byte[] ToRead { get; set; } = [];

        public bool Disposed { get; private set; }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (FailWrites is { } fail)
            {
                fail.TrySetResult();
                throw new IOException("the peer is gone");
            }

            var copy = buffer.ToArray();
            if (Gate is { } gate)
            {
                Gate = null;
                await gate.Task.ConfigureAwait(false);
            }

            lock (_sync)
            {
                Writes.Add(System.Text.Encoding.ASCII.GetString(copy));
                Bytes.Add(copy);
            }
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return Task.CompletedTask;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = Math.Min(buffer.Length, ToRead.Length);
            ToRead.AsSpan(0, n).CopyTo(buffer.Span);
            ToRead = ToRead[n..];
            return ValueTask.FromResult(n);
        }

        public override void Flush() => Flushes++;

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
