using System.Buffers;
using System.Text.Json;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Serialization;
using Microsoft.AspNetCore.Http.Features;

namespace Loopwire.Server.Http;

/// <summary>Reading bounded bodies and writing OpenAI-style errors.</summary>
internal static class HttpIo
{
    /// <summary>A request body in a rented buffer; dispose to return it.</summary>
    internal readonly struct Body(byte[] buffer, int length) : IDisposable
    {
        public ReadOnlySpan<byte> Span => buffer.AsSpan(0, length);

        public int Length => length;

        public void Dispose() => ArrayPool<byte>.Shared.Return(buffer);
    }

    public static ProtocolError TooLarge(long limit) => new(413, "invalid_request_error", "request_too_large",
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
}
