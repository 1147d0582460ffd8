using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Unicode;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Wire;

namespace Loopwire.Protocol.Streaming;

/// <summary>
/// Writes delta events (text, function-call arguments, reasoning summary text: most of a turn's events) straight as bytes:
/// the JSON around the delta is encoded once per item and kept, so a delta costs a copy, its text's transcoding and its
/// sequence number. The bytes are exactly what <see cref="ResponseEventWriter"/> (and the serializer) write.
/// </summary>
/// <remarks>
/// Invalid UTF-16 (a lone surrogate), a delta longer than 16K characters, an event with unknown fields or logprobs are
/// declined and the caller writes them the ordinary way. One per stream writer; not thread-safe.
/// </remarks>
public sealed class DeltaEventEncoder : IDisposable
{
    private static readonly byte[] DeltaProperty = "\"delta\":\""u8.ToArray();
    private static readonly byte[] SequenceProperty = ",\"sequence_number\":"u8.ToArray();

    /// <summary>Longer deltas take the ordinary way: their worst-case span (6 bytes a byte once escaped) would stay in the send buffer.</summary>
    private const int MaxDeltaChars = 16 * 1024;

    private readonly PooledBufferWriter _scratch = new(512);
    private Utf8JsonWriter? _scratchWriter;
    private readonly ResponseEventWriter _template;

    // The pieces of the item the last delta belonged to: everything before the delta's text, between it and the sequence
    // number, and after the sequence number.
    private Type? _type;
    private string? _itemId;
    private int _outputIndex = -1;
    private int _subIndex = -1;
    private string? _streamId;
    private byte[] _before = [];
    private byte[] _between = [];
    private byte[] _after = [];

    /// <summary>Creates the encoder; <paramref name="template"/> writes the JSON it keeps around the deltas.</summary>
    public DeltaEventEncoder(ResponseEventWriter template)
    {
        ArgumentNullException.ThrowIfNull(template);
        _template = template;
    }

    /// <summary>Writes <paramref name="e"/> to <paramref name="output"/> when it is a delta this encoder writes.</summary>
    /// <returns>False, with nothing written, when the caller must write the event the ordinary way.</returns>
    public bool TryWrite(IBufferWriter<byte> output, ResponseEvent e)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(e);
        if (e.Extra is not null)
        {
            return false;
        }

        (string delta, string itemId, int outputIndex, int subIndex) = e switch
        {
            OutputTextDeltaEvent d when d.Logprobs.Count == 0 => (d.Delta, d.ItemId, d.OutputIndex, d.ContentIndex),
            FunctionCallArgumentsDeltaEvent a => (a.Delta, a.ItemId, a.OutputIndex, 0),
            ReasoningSummaryTextDeltaEvent r => (r.Delta, r.ItemId, r.OutputIndex, r.SummaryIndex),
            _ => (null!, null!, 0, 0),
        };
        if (delta is null || itemId is null || delta.Length > MaxDeltaChars)
        {
            return false;
        }

        if (e.GetType() != _type || !string.Equals(itemId, _itemId, StringComparison.Ordinal) || outputIndex != _outputIndex
            || subIndex != _subIndex || !string.Equals(e.StreamId, _streamId, StringComparison.Ordinal))
        {
            Prepare(e, itemId, outputIndex, subIndex);
        }

        // At most 3 bytes per UTF-16 unit; an int's digits fit in 11.
        int size = _before.Length + delta.Length * 3 + _between.Length + 11 + _after.Length;
        var span = output.GetSpan(size);
        _before.CopyTo(span);
        int n = _before.Length;
        if (Utf8.FromUtf16(delta, span[n..], out _, out int written, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            // Invalid UTF-16 (a lone surrogate): the serializer's rules for it are its own.
            return false;
        }

        var encoder = ProtocolJsonContext.WireWriterOptions.Encoder!;
        if (encoder.FindFirstCharacterToEncodeUtf8(span.Slice(n, written)) >= 0)
        {
            // Quotes, backslashes, control characters: escaped by the wire encoder, as the writer escapes them (it hands the
            // text to the same encoder). An escape is at most 6 bytes for each byte of UTF-8.
            span = Escape(output, n, written, out n);
            if (span.IsEmpty)
            {
                return false;
            }
        }
        else
        {
            n += written;
        }

        _between.CopyTo(span[n..]);
        n += _between.Length;
        Utf8Formatter.TryFormat(e.SequenceNumber, span[n..], out written);
        n += written;
        _after.CopyTo(span[n..]);
        output.Advance(n + _after.Length);
        return true;
    }

    /// <summary>
    /// Escapes the <paramref name="length"/> bytes of UTF-8 at <paramref name="start"/> (right after <see cref="_before"/>) in
    /// the output's span: copies them aside and encodes them back in a span large enough for every escape, which ends at
    /// <paramref name="end"/>.
    /// </summary>
    /// <returns>The output's span (with <see cref="_before"/> and the escaped text in it), or empty when they cannot be encoded.</returns>
    private Span<byte> Escape(IBufferWriter<byte> output, int start, int length, out int end)
    {
        byte[] raw = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            end = 0;
            output.GetSpan(0).Slice(start, length).CopyTo(raw);
            // A larger span may be a new array that holds nothing written yet: the part before the text is written again.
            var span = output.GetSpan(start + length * 6 + _between.Length + 11 + _after.Length);
            _before.CopyTo(span);
            if (ProtocolJsonContext.WireWriterOptions.Encoder!.EncodeUtf8(raw.AsSpan(0, length), span[start..], out _, out int written)
                != OperationStatus.Done)
            {
                return [];
            }

            end = start + written;
            return span;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    /// <summary>Forgets the kept pieces and gives the scratch buffer back (an idle stream holds none).</summary>
    public void Release()
    {
        _type = null;
        _itemId = null;
        _streamId = null;
        _before = _between = _after = [];
        _scratch.Release();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Release();
        _scratchWriter?.Dispose();
        _scratchWriter = null;
    }

    /// <summary>Writes the event once with an empty delta, sequence number 0 and no lane, and cuts it around those.</summary>
    private void Prepare(ResponseEvent e, string itemId, int outputIndex, int subIndex)
    {
        ResponseEvent blank = e switch
        {
            OutputTextDeltaEvent d => d with { Delta = "", SequenceNumber = 0, StreamId = null },
            FunctionCallArgumentsDeltaEvent a => a with { Delta = "", SequenceNumber = 0, StreamId = null },
            ReasoningSummaryTextDeltaEvent r => r with { Delta = "", SequenceNumber = 0, StreamId = null },
            _ => throw new ArgumentException("Not a delta event.", nameof(e)),
        };
        var json = WriteScratch(w => _template.Write(w, blank)).Span;
        // A quote inside a JSON string is escaped, so the first bare "delta":" is the property itself.
        int at = json.IndexOf(DeltaProperty) + DeltaProperty.Length;
        int seq = json.LastIndexOf(SequenceProperty) + SequenceProperty.Length;
        _before = json[..at].ToArray();
        _between = json[at..seq].ToArray();
        if (e.StreamId is null)
        {
            _after = "}"u8.ToArray();
        }
        else
        {
            var lane = WriteScratch(w =>
            {
                w.WriteStartObject();
                w.WriteString("stream_id", e.StreamId);
                w.WriteEndObject();
            }).Span;
            _after = [(byte)',', .. lane[1..]];
        }

        _type = e.GetType();
        _itemId = itemId;
        _outputIndex = outputIndex;
        _subIndex = subIndex;
        _streamId = e.StreamId;
    }

    private ReadOnlyMemory<byte> WriteScratch(Action<Utf8JsonWriter> write)
    {
        _scratch.Clear();
        if (_scratchWriter is null)
        {
            _scratchWriter = new Utf8JsonWriter(_scratch, ProtocolJsonContext.WireWriterOptions);
        }
        else
        {
            _scratchWriter.Reset(_scratch);
        }

        write(_scratchWriter);
        _scratchWriter.Flush();
        return _scratch.WrittenMemory;
    }
}
