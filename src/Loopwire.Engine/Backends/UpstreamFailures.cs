using System.Text;
using System.Text.Json;
using Loopwire.Protocol.Errors;

namespace Loopwire.Engine.Backends;

/// <summary>
/// Expected upstream failures as values. An upstream's own 4xx keeps its status, type and message (the caller sent
/// something the upstream refuses); an upstream that is unreachable, failing or broken is 502, a slow one 504.
/// </summary>
internal static class UpstreamFailures
{
    public static ModelFailed Timeout(string backend, TimeSpan timeout) => new(ErrorCodes.UpstreamTimeout,
        $"Upstream '{backend}' sent nothing for {timeout.TotalSeconds:0.###} s (Loopwire:Backends:{backend}:TimeoutSeconds).", 504);

    public static ModelFailed Unavailable(string backend, string cause) => new(ErrorCodes.UpstreamUnavailable,
        $"Upstream '{backend}' could not be reached: {cause}", 502);

    public static ModelFailed Broken(string backend, string cause) => new(ErrorCodes.UpstreamError,
        $"Upstream '{backend}' broke off the response: {cause}", 502);

    public static ModelFailed Protocol(string backend, string cause) => new(ErrorCodes.UpstreamProtocolError,
        $"Upstream '{backend}' sent something Loopwire cannot translate: {cause}", 502);

    /// <summary>An error the upstream reported inside its stream (or a failed response).</summary>
    public static ModelFailed InStream(string backend, string? code, string? type, string message, int? status)
    {
        if (status is >= 400 and < 500 and not (401 or 403 or 407))
        {
            return new ModelFailed(code ?? ErrorCodes.UpstreamError, $"Upstream '{backend}' rejected the request (HTTP {status}): {message}",
                status.Value, type ?? ErrorTypes.InvalidRequest);
        }

        return new ModelFailed(code ?? ErrorCodes.UpstreamError, $"Upstream '{backend}' failed: {message}", 502);
    }

    /// <summary>Maps a non-success HTTP status and its body.</summary>
    public static ModelFailed FromStatus(string backend, int status, ReadOnlySpan<byte> body)
    {
        var (message, type, code) = ReadError(body);
        message ??= status + " with no error message";
        if (status is 401 or 403 or 407)
        {
            return new ModelFailed(ErrorCodes.UpstreamAuthFailed,
                $"Upstream '{backend}' refused Loopwire's credentials (HTTP {status}): {message}. Check Loopwire:Backends:{backend}:ApiKey.", 502);
        }

        if (status is >= 400 and < 500)
        {
            return new ModelFailed(code ?? ErrorCodes.UpstreamError, $"Upstream '{backend}' rejected the request (HTTP {status}): {message}", status,
                type ?? (status == 429 ? ErrorTypes.RateLimit : ErrorTypes.InvalidRequest));
        }

        return new ModelFailed(ErrorCodes.UpstreamError, $"Upstream '{backend}' failed (HTTP {status}): {message}", 502);
    }

    /// <summary>
    /// Reads the error shapes servers use: OpenAI <c>{"error":{message,type,code}}</c> (llama.cpp, LiteLLM, Ollama's /v1),
    /// <c>{"error":"text"}</c> (Ollama), vLLM's flat <c>{"object":"error","message",...}</c>, FastAPI's <c>{"detail":...}</c>.
    /// </summary>
    public static (string? Message, string? Type, string? Code) ReadError(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, null, null);
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            return ReadError(doc.RootElement);
        }
        catch (JsonException)
        {
            string text = Encoding.UTF8.GetString(body.Length > 500 ? body[..500] : body).Trim();
            return (text.Length == 0 ? null : text, null, null);
        }
    }

    public static (string? Message, string? Type, string? Code) ReadError(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (root.ValueKind == JsonValueKind.String ? root.GetString() : root.GetRawText(), null, null);
        }

        if (root.TryGetProperty("error", out var error))
        {
            if (error.ValueKind == JsonValueKind.String)
            {
                return (error.GetString(), null, null);
            }

            if (error.ValueKind == JsonValueKind.Object)
            {
                return (Str(error, "message"), Str(error, "type"), Str(error, "code"));
            }
        }

        if (Str(root, "message") is { } message)
        {
            return (message, Str(root, "type"), Str(root, "code"));
        }

        if (root.TryGetProperty("detail", out var detail))
        {
            return (detail.ValueKind == JsonValueKind.String ? detail.GetString() : detail.GetRawText(), null, null);
        }

        return (null, null, null);
    }

    /// <summary>A string property; numbers (llama.cpp's <c>code: 400</c>) are not codes and read as null.</summary>
    private static string? Str(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
