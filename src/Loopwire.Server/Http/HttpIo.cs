using System.Buffers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Serialization;
using Microsoft.AspNetCore.Http.Features;

namespace Loopwire.Server.Http;

/// <summary>Reading bounded bodies, writing OpenAI-style errors, and writing SSE streams.</summary>
internal static class HttpIo
{
    /// <summary>A request body in a rented buffer; dispose to return it.</summary>
    internal readonly struct Body(byte[] buffer, int length) : IDisposable
    {
        public ReadOnlySpan<byte> Span => buffer.AsSpan(0, length);

        public int Length => length;

        public void Dispose() => ArrayPool<byte>.Shared.Return(buffer);
    }

    public static ProtocolError TooLarge(long limit) => new(413, ErrorTypes.InvalidRequest, ErrorCodes.RequestTooLarge,
        $"The request body exceeds the limit of {limit} bytes (Loopwire:MaxRequestBodyBytes).", null);

    /// <summary>Reads the whole body, refusing more than <paramref name="limit"/> bytes.</summary>
    public static async Task<(Body? Body, ProtocolError? Error)> ReadBodyAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return (null, TooLarge(limit));
        }

        // Our own limit replaces Kestrel's, so the client gets a JSON error that names it.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } f)
        {
            f.MaxRequestBodySize = null;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(request.ContentLength ?? 16 * 1024, 4096), limit + 1));
        int length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return (null, TooLarge(limit));
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                int n = await request.Body.ReadAsync(buffer.AsMemory(length), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                length += n;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (null, TooLarge(limit));
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        return (new Body(buffer, length), null);
    }

    public static IResult Error(ProtocolError error) =>
        Results.Json(error.ToBody(), ProtocolJsonContext.Wire.ErrorBody, statusCode: error.Status);

    public static Task WriteErrorAsync(HttpContext context, ProtocolError error)
    {
        context.Response.StatusCode = error.Status;
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, error.ToBody(), ProtocolJsonContext.Wire.ErrorBody, context.RequestAborted);
    }

    private static readonly byte[] SseDone = "data: [DONE]\n\n"u8.ToArray();

    /// <summary>Starts an SSE response: 200, <c>text/event-stream</c>, and no caching or proxy buffering.</summary>
    public static void StartSse(HttpResponse response)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
    }

    /// <summary>
    /// Writes items as SSE with <see cref="SseFormatter"/>: one event per item (<c>event:</c> when <paramref name="eventType"/>
    /// gives one, then <c>data:</c> with the item's JSON), each written and flushed on its own.
    /// </summary>
    /// <param name="response">The response, already started with <see cref="StartSse"/>.</param>
    /// <param name="items">The items; the stream stops when they end or <paramref name="ct"/> fires.</param>
    /// <param name="typeInfo">How to serialize an item.</param>
    /// <param name="eventType">An item's SSE event name; null for data-only events.</param>
    /// <param name="doneSentinel">Whether to end with <c>data: [DONE]</c>.</param>
    /// <param name="ct">Stops the stream (the request's abort token).</param>
    public static Task WriteSseAsync<T>(HttpResponse response, IAsyncEnumerable<T> items, JsonTypeInfo<T> typeInfo,
        Func<T, string?> eventType, bool doneSentinel, CancellationToken ct) =>
        WriteSseAsync(response, items, (_, writer, item) => JsonSerializer.Serialize(writer, item, typeInfo), eventType, doneSentinel, ct);

    /// <summary>As the overload with a <see cref="JsonTypeInfo{T}"/>, for streams whose items are written in more than one shape.</summary>
    /// <param name="response">The response, already started with <see cref="StartSse"/>.</param>
    /// <param name="items">The items; the stream stops when they end or <paramref name="ct"/> fires.</param>
    /// <param name="write">Writes an item's JSON (the <c>data:</c> of its event) into the buffer, through the writer over it or directly.</param>
    /// <param name="eventType">An item's SSE event name; null for data-only events.</param>
    /// <param name="doneSentinel">Whether to end with <c>data: [DONE]</c>.</param>
    /// <param name="ct">Stops the stream (the request's abort token).</param>
    /// <param name="flushAfter">Items sent at once, without waiting to see whether the next is ready (a response's terminal event).</param>
    /// <remarks>
    /// The formatter writes into a corked stream (<see cref="CorkableStream"/>): events that are ready together leave in one
    /// write, and what was written leaves before the loop waits for an item that is not ready yet, and before a failure of
    /// the items goes to the caller (who may write an error event after them).
    /// </remarks>
    public static async Task WriteSseAsync<T>(HttpResponse response, IAsyncEnumerable<T> items, Action<IBufferWriter<byte>, Utf8JsonWriter, T> write,
        Func<T, string?> eventType, bool doneSentinel, CancellationToken ct, Func<T, bool>? flushAfter = null)
    {
        using var writer = new Utf8JsonWriter(Stream.Null, ProtocolJsonContext.WireWriterOptions);
        await using var body = new CorkableStream(response.Body, leaveOpen: true);
        try
        {
            await SseFormatter.WriteAsync(Items(body, items, eventType, flushAfter, ct), body, (item, buffer) =>
            {
                writer.Reset(buffer);
                write(buffer, writer, item.Data);
                writer.Flush();
            }, ct).ConfigureAwait(false);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            try
            {
                await body.UncorkAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The client is gone too: the items' failure is the one to report.
            }

            throw;
        }

        await body.UncorkAsync(ct).ConfigureAwait(false);
        if (doneSentinel)
        {
            await response.Body.WriteAsync(SseDone, ct).ConfigureAwait(false);
        }

        static async IAsyncEnumerable<SseItem<T>> Items(CorkableStream body, IAsyncEnumerable<T> items, Func<T, string?> eventType,
            Func<T, bool>? flushAfter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            body.Cork();
            await using var e = items.GetAsyncEnumerator(ct);
            while (true)
            {
                // When nothing is ready, what the formatter wrote leaves now, not with the next event.
                var next = e.MoveNextAsync();
                bool more;
                if (next.IsCompleted)
                {
                    more = await next.ConfigureAwait(false);
                }
                else
                {
                    more = await FlushBeforeWait.NextAsync(next, body.UncorkAsync(ct)).ConfigureAwait(false);
                    body.Cork();
                }

                if (!more)
                {
                    break;
                }

                var item = e.Current;
                yield return new SseItem<T>(item, eventType(item));

                // The formatter has written the event.
                if (flushAfter?.Invoke(item) == true)
                {
                    await body.UncorkAsync(ct).ConfigureAwait(false);
                    body.Cork();
                }
            }
        }
    }
}
