using System.Buffers;
using System.Text.Json;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Wire;

namespace Loopwire.Protocol.Streaming;

/// <summary>
/// Writes response events as their wire JSON, byte for byte what <see cref="ProtocolJsonContext.Wire"/> writes, but
/// without the serializer's per-event cost where a turn spends it: the text, arguments and reasoning deltas (most of a
/// turn's events) are written field by field with pre-encoded names, and a response object carried by several
/// lifecycle events in a row (<c>response.created</c> and <c>response.in_progress</c> carry the same one) is
/// serialized once.
/// </summary>
/// <remarks>
/// One per stream writer (a WebSocket connection's send loop, an SSE response); not thread-safe. It keeps the last
/// response object's JSON until <see cref="Release"/> or a terminal event. Events with unknown fields
/// (<see cref="ResponseEvent.Extra"/>) and every other event type go through the serializer.
/// </remarks>
public sealed class ResponseEventWriter : IDisposable
{
    private static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText Delta = JsonEncodedText.Encode("delta");
    private static readonly JsonEncodedText Logprobs = JsonEncodedText.Encode("logprobs");
    private static readonly JsonEncodedText ItemId = JsonEncodedText.Encode("item_id");
    private static readonly JsonEncodedText OutputIndex = JsonEncodedText.Encode("output_index");
    private static readonly JsonEncodedText ContentIndex = JsonEncodedText.Encode("content_index");
    private static readonly JsonEncodedText SummaryIndex = JsonEncodedText.Encode("summary_index");
    private static readonly JsonEncodedText SequenceNumber = JsonEncodedText.Encode("sequence_number");
    private static readonly JsonEncodedText StreamId = JsonEncodedText.Encode("stream_id");
    private static readonly JsonEncodedText ResponseName = JsonEncodedText.Encode("response");
    private static readonly JsonEncodedText OutputTextDelta = JsonEncodedText.Encode("response.output_text.delta");
    private static readonly JsonEncodedText ArgumentsDelta = JsonEncodedText.Encode("response.function_call_arguments.delta");
    private static readonly JsonEncodedText SummaryTextDelta = JsonEncodedText.Encode("response.reasoning_summary_text.delta");

    private readonly PooledBufferWriter _cachedJson = new(4096);
    private ResponseObject? _cached;
    private Utf8JsonWriter? _cachedWriter;
    private DeltaEventEncoder? _deltas;

    /// <summary>
    /// Writes <paramref name="e"/> into <paramref name="output"/>: a delta straight as bytes from pieces encoded once per item
    /// (<see cref="DeltaEventEncoder"/>), any other event through <paramref name="writer"/>, which writes to
    /// <paramref name="output"/>; the caller flushes the writer afterwards.
    /// </summary>
    /// <param name="output">Where the event's JSON goes.</param>
    /// <param name="writer">A writer over <paramref name="output"/> with <see cref="ProtocolJsonContext.WireWriterOptions"/>.</param>
    /// <param name="e">The event.</param>
    public void Write(IBufferWriter<byte> output, Utf8JsonWriter writer, ResponseEvent e)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (writer.BytesPending > 0)
        {
            // Whatever the writer holds goes first.
            writer.Flush();
        }

        if (!(_deltas ??= new DeltaEventEncoder(this)).TryWrite(output, e))
        {
            Write(writer, e);
        }
    }

    /// <summary>Writes <paramref name="e"/> as one JSON object.</summary>
    /// <param name="writer">A writer with <see cref="ProtocolJsonContext.WireWriterOptions"/>.</param>
    /// <param name="e">The event.</param>
    public void Write(Utf8JsonWriter writer, ResponseEvent e)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(e);
        if (e.Extra is not null)
        {
            JsonSerializer.Serialize(writer, e, ProtocolJsonContext.Wire.ResponseEvent);
            return;
        }

        switch (e)
        {
            case OutputTextDeltaEvent d when d.Logprobs.Count == 0:
                writer.WriteStartObject();
                writer.WriteString(Type, OutputTextDelta);
                writer.WriteString(Delta, d.Delta);
                writer.WriteStartArray(Logprobs);
                writer.WriteEndArray();
                writer.WriteString(ItemId, d.ItemId);
                writer.WriteNumber(OutputIndex, d.OutputIndex);
                writer.WriteNumber(ContentIndex, d.ContentIndex);
                WriteTail(writer, e);
                break;
            case FunctionCallArgumentsDeltaEvent a:
                writer.WriteStartObject();
                writer.WriteString(Type, ArgumentsDelta);
                writer.WriteString(ItemId, a.ItemId);
                writer.WriteNumber(OutputIndex, a.OutputIndex);
                writer.WriteString(Delta, a.Delta);
                WriteTail(writer, e);
                break;
            case ReasoningSummaryTextDeltaEvent r:
                writer.WriteStartObject();
                writer.WriteString(Type, SummaryTextDelta);
                writer.WriteString(Delta, r.Delta);
                writer.WriteString(ItemId, r.ItemId);
                writer.WriteNumber(OutputIndex, r.OutputIndex);
                writer.WriteNumber(SummaryIndex, r.SummaryIndex);
                WriteTail(writer, e);
                break;
            case ResponseLifecycleEvent l when l.Response is not null:
                writer.WriteStartObject();
                writer.WriteString(Type, l.EventType);
                writer.WritePropertyName(ResponseName);
                writer.WriteRawValue(ResponseJson(l.Response).Span, skipInputValidation: true);
                WriteTail(writer, e);
                if (l.IsTerminal)
                {
                    Release();
                }

                break;
            default:
                JsonSerializer.Serialize(writer, e, ProtocolJsonContext.Wire.ResponseEvent);
                break;
        }
    }

    /// <summary>Forgets the kept response object and gives its JSON's buffer back to the pool (an idle stream holds none).</summary>
    public void Release()
    {
        _cached = null;
        _cachedJson.Release();
        _deltas?.Release();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Release();
        _deltas?.Dispose();
        _deltas = null;
        _cachedWriter?.Dispose();
        _cachedWriter = null;
    }

    /// <summary>The fields every event ends with, and the end of the object.</summary>
    private static void WriteTail(Utf8JsonWriter writer, ResponseEvent e)
    {
        writer.WriteNumber(SequenceNumber, e.SequenceNumber);
        if (e.StreamId is not null)
        {
            writer.WriteString(StreamId, e.StreamId);
        }

        writer.WriteEndObject();
    }

    private ReadOnlyMemory<byte> ResponseJson(ResponseObject response)
    {
        if (ReferenceEquals(response, _cached))
        {
            return _cachedJson.WrittenMemory;
        }

        // The buffer is rented from the pool and given back after the terminal event; the writer object is kept (it holds
        // no buffer of its own), so a turn allocates neither.
        _cachedJson.Clear();
        if (_cachedWriter is null)
        {
            _cachedWriter = new Utf8JsonWriter(_cachedJson, ProtocolJsonContext.WireWriterOptions);
        }
        else
        {
            _cachedWriter.Reset(_cachedJson);
        }

        JsonSerializer.Serialize(_cachedWriter, response, ProtocolJsonContext.Wire.ResponseObject);
        _cachedWriter.Flush();
        _cached = response;
        return _cachedJson.WrittenMemory;
    }
}
