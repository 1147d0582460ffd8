namespace Loopwire.Client;

/// <summary>Bytes and messages one exchange put on and took off the wire (payload bytes, not framing).</summary>
/// <remarks>Updated by one exchange at a time; read after it ends.</remarks>
internal sealed class TransferCounter
{
    public long BytesSent;
    public long BytesReceived;
    public long FirstOutputAt;

    public void Sent(long n) => Interlocked.Add(ref BytesSent, n);

    public void Received(long n) => Interlocked.Add(ref BytesReceived, n);
}
