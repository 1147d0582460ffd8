namespace Loopwire.Client.Tests.Support;

/// <summary>Injects connection drops: the n-th request's response body breaks after a given number of bytes.</summary>
/// <param name="dropAfterBytes">Per request, in order: bytes to deliver before the drop; null lets that request through.</param>
internal sealed class DroppingHandler(params int?[] dropAfterBytes) : DelegatingHandler
{
    private int _requests;

    /// <summary>The requests seen, as <c>METHOD path?query</c>.</summary>
    public List<string> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        int n = Interlocked.Increment(ref _requests) - 1;
        lock (Requests)
        {
            Requests.Add($"{request.Method} {request.RequestUri!.PathAndQuery}");
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (n < dropAfterBytes.Length && dropAfterBytes[n] is { } limit)
        {
            var inner = await response.Content.ReadAsStreamAsync(cancellationToken);
            var content = new StreamContent(new DroppingStream(inner, limit));
            foreach (var h in response.Content.Headers)
            {
                content.Headers.TryAddWithoutValidation(h.Key, h.Value);
            }

            response.Content = content;
        }

        return response;
    }

    private sealed class DroppingStream(Stream inner, int limit) : Stream
    {
        private int _delivered;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_delivered >= limit)
            {
                throw new IOException("Injected connection drop.");
            }

            int n = await inner.ReadAsync(buffer[..Math.Min(buffer.Length, limit - _delivered)], cancellationToken);
            _delivered += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
