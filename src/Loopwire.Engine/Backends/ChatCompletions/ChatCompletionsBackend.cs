using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Loopwire.Protocol.Errors;

namespace Loopwire.Engine.Backends.ChatCompletions;

/// <summary>
/// A model behind an OpenAI-compatible Chat Completions server (llama.cpp, Ollama, vLLM, LiteLLM): the conversation is
/// sent whole, as messages, on every turn to <c>POST {BaseUrl}/chat/completions</c> with <c>stream: true</c>.
/// </summary>
/// <remarks>
/// Thread-safe. Failures are values (<see cref="ModelFailed"/>): an upstream 4xx keeps its status and message; an
/// unreachable or failing upstream is 502, a silent one 504 (<see cref="UpstreamBackendOptions.TimeoutSeconds"/> between
/// any two pieces of the stream). Cancelling aborts the upstream request. The caller owns <paramref name="client"/>: its
/// <c>Timeout</c> should be infinite (the backend times out by itself), and its handlers retry a request before the first
/// byte (the server's named upstream clients carry the retry handler built from <paramref name="options"/>).
/// </remarks>
/// <param name="name">The backend name (in messages and logs).</param>
/// <param name="options">The upstream's options.</param>
/// <param name="client">The HTTP client to send with.</param>
/// <param name="time">The clock for timeouts.</param>
/// <param name="logger">The logger.</param>
public sealed class ChatCompletionsBackend(string name, UpstreamBackendOptions options, HttpClient client, TimeProvider? time = null,
    ILogger? logger = null) : IModelBackend, IModelLister, IDisposable
{
    private readonly UpstreamHttp _http = new(name, options, client, time ?? TimeProvider.System, logger ?? NullLogger.Instance);

    /// <inheritdoc />
    public IReadOnlyList<string> Models => options.Models;

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default) => _http.ListModelsAsync(cancellationToken);

    /// <summary>Frees the request slots. The client stays the caller's.</summary>
    public void Dispose() => _http.Dispose();

    /// <inheritdoc />
    public IAsyncEnumerable<ModelChunk> StreamAsync(ModelRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return StreamCoreAsync(request, cancellationToken);
    }

    private async IAsyncEnumerable<ModelChunk> StreamCoreAsync(ModelRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        byte[] body = [];
        ModelFailed? invalid = null;
        try
        {
            body = JsonSerializer.SerializeToUtf8Bytes(ChatRequestTranslator.Build(request, options), ChatJsonContext.Default.ChatCompletionRequest);
        }
        catch (Protocol.Errors.ProtocolException ex)
        {
            invalid = new ModelFailed(ErrorCodes.InvalidValue, "The instructions could not be translated into chat messages: " + ex.Message, 400,
                ErrorTypes.InvalidRequest);
        }

        if (invalid is not null)
        {
            yield return invalid;
            yield break;
        }

        var call = await _http.PostStreamAsync("chat/completions", body, ct).ConfigureAwait(false);
        await using var callScope = call.ConfigureAwait(false);
        if (call.Failure is { } failure)
        {
            yield return failure;
            yield break;
        }

        var translator = new ChatStreamTranslator(name);
        var custom = new CustomToolCallMapper(ChatRequestTranslator.CustomToolNames(request.Request));
        var events = SseParser.Create(call.Body!, static (_, data) => Parse(data)).EnumerateAsync(call.Token).GetAsyncEnumerator(call.Token);
        bool sawDone = false;
        try
        {
            while (true)
            {
                call.ArmTimeout();
                bool more;
                ModelFailed? broken = null;
                try
                {
                    more = await events.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (call.TryClassify(ex, out broken))
                {
                    more = false;
                }

                if (broken is not null)
                {
                    yield return broken;
                    yield break;
                }

                if (!more)
                {
                    break;
                }

                var chunk = events.Current.Data;
                if (chunk is null)
                {
                    sawDone = true;
                    break;
                }

                if (ReferenceEquals(chunk, Skip))
                {
                    continue;
                }

                if (chunk.Object == "invalid")
                {
                    yield return call.Report(UpstreamFailures.Protocol(name, "a chunk is not valid JSON: " + chunk.Message));
                    yield break;
                }

                foreach (var c in custom.Map(translator.Add(chunk)))
                {
                    yield return c;
                }

                if (translator.Failure is { } f)
                {
                    yield return call.Report(f);
                    yield break;
                }
            }
        }
        finally
        {
            await events.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var c in custom.Map(translator.Complete(sawDone)))
        {
            yield return c;
        }

        if (translator.Failure is { } end)
        {
            yield return call.Report(end);
        }
    }

    private static readonly ChatCompletionChunk Skip = new();

    /// <summary>Parses one <c>data:</c> payload from its bytes; null for <c>[DONE]</c>.</summary>
    private static ChatCompletionChunk? Parse(ReadOnlySpan<byte> data)
    {
        data = data.Trim((byte)' ');
        if (data.SequenceEqual("[DONE]"u8))
        {
            return null;
        }

        if (data.IsEmpty)
        {
            return Skip;
        }

        try
        {
            return JsonSerializer.Deserialize(data, ChatJsonContext.Default.ChatCompletionChunk)
                ?? new ChatCompletionChunk { Object = "invalid", Message = "null" };
        }
        catch (JsonException ex)
        {
            return new ChatCompletionChunk { Object = "invalid", Message = ex.Message };
        }
    }
}
