using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loopwire.Engine.Backends.Responses;

/// <summary>
/// A model behind another Responses server, over HTTP: every turn is <c>POST {BaseUrl}/responses</c> with the full
/// context, <c>stream: true</c> and <c>store: false</c> (the upstream keeps nothing), read as SSE.
/// </summary>
/// <remarks>
/// Thread-safe. Same failure, retry, timeout, cancellation and client-ownership rules as <see cref="ChatCompletions.ChatCompletionsBackend"/>.
/// For the upstream to see only deltas, use <see cref="ResponsesWebSocketBackend"/>. The caller owns <paramref name="client"/>.
/// </remarks>
/// <param name="name">The backend name (in messages and logs).</param>
/// <param name="options">The upstream's options.</param>
/// <param name="client">The HTTP client to send with (infinite <c>Timeout</c>).</param>
/// <param name="time">The clock for timeouts.</param>
/// <param name="logger">The logger.</param>
public sealed partial class ResponsesHttpBackend(string name, UpstreamBackendOptions options, HttpClient client, TimeProvider? time = null,
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
        var body = ResponsesUpstreamRequest.Build(request, request.Conversation.Items, null, webSocket: false);
        UpstreamLog.Sending(_http.Logger, name, request.Conversation.Items.Count, request.Conversation.Items.Count, null);
        var call = await _http.PostStreamAsync("responses", body, ct).ConfigureAwait(false);
        await using var callScope = call.ConfigureAwait(false);
        if (call.Failure is { } failure)
        {
            yield return failure;
            yield break;
        }

        var translator = new ResponsesStreamTranslator(name);
        var events = SseParser.Create(call.Body!, static (_, data) => Parse(data)).EnumerateAsync(call.Token).GetAsyncEnumerator(call.Token);
        try
        {
            while (!translator.Finished)
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
                    yield return call.Report(UpstreamFailures.Broken(name, "the stream ended before the response was completed."));
                    yield break;
                }

                if (events.Current.Data is not { } e)
                {
                    continue;
                }

                foreach (var c in translator.Add(e))
                {
                    yield return c;
                }

                if (translator.ReplayCode is { } code)
                {
                    // Nothing was chained over HTTP, so the upstream has no reason to say this.
                    yield return call.Report(UpstreamFailures.InStream(name, code, null, "the upstream lost the conversation.", null));
                    yield break;
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
    }

    /// <summary>Parses one <c>data:</c> payload from its bytes; null for an empty one or <c>[DONE]</c>.</summary>
    internal static JsonElement? Parse(ReadOnlySpan<byte> data)
    {
        data = data.Trim((byte)' ');
        if (data.IsEmpty || data.SequenceEqual("[DONE]"u8))
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(data);
            return JsonElement.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            // Surfaces as a protocol failure: an event without a type.
            return NotJson;
        }
    }

    private static readonly JsonElement NotJson = JsonDocument.Parse("\"not json\"").RootElement.Clone();
}
