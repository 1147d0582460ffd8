using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Client.Http;

/// <summary>The Responses API over HTTP: JSON and SSE on <c>/v1/responses</c>.</summary>
/// <remarks>
/// Thread-safe; share one instance. Paths are relative to <see cref="HttpClient.BaseAddress"/>, which must be the
/// server root (<c>http://host:port/</c>). The <see cref="HttpClient"/> is not owned and not disposed.
/// Non-2xx answers become <see cref="ResponsesApiException"/>.
/// </remarks>
public sealed class ResponsesHttpClient
{
    private const string ResponsesPath = "v1/responses";

    private readonly HttpClient _http;
    private readonly ResponsesClientOptions _options;

    /// <summary>Creates the client.</summary>
    /// <param name="httpClient">The HTTP client; its <see cref="HttpClient.BaseAddress"/> is the server root.</param>
    /// <param name="options">API key and extra headers; null for none.</param>
    public ResponsesHttpClient(HttpClient httpClient, ResponsesClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _http = httpClient;
        _options = options ?? new ResponsesClientOptions();
    }

    /// <summary>Creates a response and waits for the whole of it (<c>stream</c> is forced to false).</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response object.</returns>
    /// <exception cref="ResponsesApiException">The server answered with an error.</exception>
    public Task<ResponseObject> CreateAsync(CreateResponseRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CreateCoreAsync(request, null, cancellationToken);
    }

    /// <summary>Creates a response and streams its events (SSE; <c>stream</c> is forced to true).</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the stream; the connection is dropped, which stops the server.</param>
    /// <returns>The events, ending with the terminal event (<c>response.completed</c>, <c>.incomplete</c>, <c>.failed</c> or <c>error</c>).</returns>
    /// <exception cref="ResponsesApiException">The server refused the request (thrown on the first move).</exception>
    /// <exception cref="ResponsesConnectionException">The stream ended before its terminal event.</exception>
    public IAsyncEnumerable<ResponseEvent> StreamAsync(CreateResponseRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return StreamCoreAsync(request, null, cancellationToken);
    }

    /// <summary>
    /// Creates a background response (<c>background: true</c>, <c>stream: true</c>) and streams its events, resuming
    /// from the last <c>sequence_number</c> seen when the connection drops before the terminal event.
    /// </summary>
    /// <param name="request">The request; <c>store</c> must not be false (the server refuses background without storage).</param>
    /// <param name="maxResumes">How many times a dropped stream is resumed before the drop is thrown. <value>3</value></param>
    /// <param name="cancellationToken">Stops reading. The response keeps running on the server; use <see cref="CancelAsync"/> to stop it.</param>
    /// <returns>Every event exactly once, in order, ending with the terminal event.</returns>
    /// <exception cref="ResponsesApiException">The server refused the request or a resume (thrown on a move).</exception>
    /// <exception cref="ResponsesConnectionException">The stream dropped before its first event or more than <paramref name="maxResumes"/> times.</exception>
    /// <remarks>
    /// A resume is <c>GET /v1/responses/{id}?stream=true&amp;starting_after=N</c> (<see cref="ResumeStreamAsync"/>); it
    /// replays what the server buffered after <c>N</c>, so nothing is generated twice. Resumes are immediate; the count
    /// of consecutive drops without progress is what <paramref name="maxResumes"/> bounds.
    /// </remarks>
    public IAsyncEnumerable<ResponseEvent> StreamResumableAsync(CreateResponseRequest request, int maxResumes = 3,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(maxResumes);
        return StreamResumableCoreAsync(request with { Background = true }, maxResumes, cancellationToken);
    }

    /// <summary>
    /// Streams the events of a background response again: those after <paramref name="startingAfter"/>, then live
    /// ones until the terminal event (<c>GET /v1/responses/{id}?stream=true&amp;starting_after=N</c>).
    /// </summary>
    /// <param name="responseId">The id of a response created with <c>background: true</c>.</param>
    /// <param name="startingAfter">The last <c>sequence_number</c> already seen; null for the whole stream.</param>
    /// <param name="cancellationToken">Stops reading; the response keeps running on the server.</param>
    /// <returns>The events after <paramref name="startingAfter"/>, ending with the terminal event.</returns>
    /// <exception cref="ResponsesApiException">
    /// Unknown id (404); not a background response, events no longer kept, or <paramref name="startingAfter"/> older
    /// than the server's buffer (400) — thrown on the first move.
    /// </exception>
    /// <exception cref="ResponsesConnectionException">The stream ended before its terminal event.</exception>
    public IAsyncEnumerable<ResponseEvent> ResumeStreamAsync(string responseId, int? startingAfter = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(responseId);
        if (startingAfter is { } n)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(n, nameof(startingAfter));
        }

        string path = $"{ResponsesPath}/{Uri.EscapeDataString(responseId)}?stream=true"
            + (startingAfter is { } after ? $"&starting_after={after.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "");
        return ReadSseAsync(() => NewRequest(HttpMethod.Get, path, null), null, cancellationToken);
    }

    /// <summary>Cancels a background response (<c>POST /v1/responses/{id}/cancel</c>).</summary>
    /// <param name="responseId">The response id.</param>
    /// <param name="cancellationToken">Cancels the call (not the response).</param>
    /// <returns>The response object: <c>cancelled</c>, or unchanged when it had already finished.</returns>
    /// <exception cref="ResponsesApiException">Unknown id (404), not a background response (400), or another error.</exception>
    public Task<ResponseObject> CancelAsync(string responseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(responseId);
        return SendAsync(HttpMethod.Post, $"{ResponsesPath}/{Uri.EscapeDataString(responseId)}/cancel", null,
            ProtocolJsonContext.Wire.ResponseObject, cancellationToken);
    }

    /// <summary>Retrieves a stored response.</summary>
    /// <param name="responseId">The response id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response object.</returns>
    /// <exception cref="ResponsesApiException">Unknown id (404) or another error.</exception>
    public Task<ResponseObject> RetrieveAsync(string responseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(responseId);
        return SendAsync(HttpMethod.Get, $"{ResponsesPath}/{Uri.EscapeDataString(responseId)}", null, ProtocolJsonContext.Wire.ResponseObject, cancellationToken);
    }

    /// <summary>Deletes a stored response.</summary>
    /// <param name="responseId">The response id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The deletion result.</returns>
    /// <exception cref="ResponsesApiException">Unknown id (404) or another error.</exception>
    public Task<DeletedResponse> DeleteAsync(string responseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(responseId);
        return SendAsync(HttpMethod.Delete, $"{ResponsesPath}/{Uri.EscapeDataString(responseId)}", null, ProtocolJsonContext.Wire.DeletedResponse, cancellationToken);
    }

    /// <summary>Lists the input items of a stored response, one page.</summary>
    /// <param name="responseId">The response id.</param>
    /// <param name="limit">Page size, 1–100; null for the server default (20).</param>
    /// <param name="order"><c>asc</c> or <c>desc</c>; null for the server default (<c>desc</c>).</param>
    /// <param name="after">An item id to start after; null to start at the beginning.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ResponsesApiException">Unknown id (404), invalid arguments (400) or another error.</exception>
    public Task<ItemList> ListInputItemsAsync(string responseId, int? limit = null, string? order = null, string? after = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(responseId);
        var path = new StringBuilder($"{ResponsesPath}/{Uri.EscapeDataString(responseId)}/input_items");
        char sep = '?';
        if (limit is { } l)
        {
            path.Append(sep).Append("limit=").Append(l);
            sep = '&';
        }

        if (order is not null)
        {
            path.Append(sep).Append("order=").Append(Uri.EscapeDataString(order));
            sep = '&';
        }

        if (after is not null)
        {
            path.Append(sep).Append("after=").Append(Uri.EscapeDataString(after));
        }

        return SendAsync(HttpMethod.Get, path.ToString(), null, ProtocolJsonContext.Wire.ItemList, cancellationToken);
    }

    internal Task<ResponseObject> CreateCoreAsync(CreateResponseRequest request, TransferCounter? counter, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, ResponsesPath, Body(request with { Stream = false, Type = null }, counter), ProtocolJsonContext.Wire.ResponseObject, ct, counter);

    internal Task<ResponseObject> RetrieveCoreAsync(string responseId, TransferCounter? counter, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"{ResponsesPath}/{Uri.EscapeDataString(responseId)}", null, ProtocolJsonContext.Wire.ResponseObject, ct, counter);

    internal IAsyncEnumerable<ResponseEvent> StreamCoreAsync(CreateResponseRequest request, TransferCounter? counter, CancellationToken ct) =>
        ReadSseAsync(() => NewRequest(HttpMethod.Post, ResponsesPath, Body(request with { Stream = true, Type = null }, counter)), counter, ct);

    private async IAsyncEnumerable<ResponseEvent> StreamResumableCoreAsync(CreateResponseRequest request, int maxResumes,
        [EnumeratorCancellation] CancellationToken ct)
    {
        string? id = null;
        int last = -1;
        int drops = 0;
        var events = StreamCoreAsync(request, null, ct);
        while (true)
        {
            var e = events.GetAsyncEnumerator(ct);
            await using var eScope = e.ConfigureAwait(false);
            bool progressed = false;
            while (true)
            {
                bool more;
                try
                {
                    more = await e.MoveNextAsync().ConfigureAwait(false);
                }
                catch (ResponsesConnectionException) when (id is not null && (progressed ? 0 : drops) < maxResumes && !ct.IsCancellationRequested)
                {
                    drops = progressed ? 1 : drops + 1;
                    break;
                }

                if (!more)
                {
                    yield break;
                }

                var current = e.Current;
                if (current.SequenceNumber <= last)
                {
                    continue;
                }

                if (current is ResponseCreatedEvent created)
                {
                    id = created.Response.Id;
                }

                last = current.SequenceNumber;
                progressed = true;
                yield return current;
            }

            events = ResumeStreamAsync(id!, last < 0 ? null : last, ct);
        }
    }

    /// <summary>Sends a request (made anew per call) and reads its SSE answer up to the terminal event.</summary>
    private async IAsyncEnumerable<ResponseEvent> ReadSseAsync(Func<HttpRequestMessage> newRequest, TransferCounter? counter,
        [EnumeratorCancellation] CancellationToken ct)
    {
        using var message = newRequest();
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await SendRawAsync(message, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ReadErrorAsync(response, counter, ct).ConfigureAwait(false);
        }

        var raw = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var body = CountingStream.Wrap(raw, counter);
        await using var bodyScope = body.ConfigureAwait(false);
        var parser = SseParser.Create(body, static (_, data) => data.SequenceEqual("[DONE]"u8) ? null : EventReader.Read(data).Event);
        bool terminal = false;
        var items = parser.EnumerateAsync(ct).GetAsyncEnumerator(ct);
        await using var itemsScope = items.ConfigureAwait(false);
        while (!terminal)
        {
            bool more;
            try
            {
                more = await items.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException && !ct.IsCancellationRequested)
            {
                throw new ResponsesConnectionException("The SSE stream broke before its terminal event.", ex);
            }

            if (!more)
            {
                throw new ResponsesConnectionException("The SSE stream ended before its terminal event.");
            }

            if (items.Current.Data is { } e)
            {
                terminal = e.IsTerminal;
                yield return e;
            }
        }
    }

    private ByteArrayContent Body(CreateResponseRequest request, TransferCounter? counter)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(request, ProtocolJsonContext.Wire.CreateResponseRequest);
        counter?.Sent(json.Length);
        var content = new ByteArrayContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, CancellationToken ct, TransferCounter? counter = null)
    {
        using var message = NewRequest(method, path, content);
        using var response = await SendRawAsync(message, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ReadErrorAsync(response, counter, ct).ConfigureAwait(false);
        }

        var raw = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var body = CountingStream.Wrap(raw, counter);
        await using var bodyScope = body.ConfigureAwait(false);
        return await JsonSerializer.DeserializeAsync(body, typeInfo, ct).ConfigureAwait(false)
            ?? throw new ResponsesApiException((int)response.StatusCode, "invalid_response", null, null, "The server answered with an empty body.");
    }

    private HttpRequestMessage NewRequest(HttpMethod method, string path, HttpContent? content)
    {
        var message = new HttpRequestMessage(method, path) { Content = content };
        if (_options.ApiKey is { } key)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        foreach (var (name, value) in _options.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        return message;
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage message, CancellationToken ct)
    {
        try
        {
            return await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new ResponsesConnectionException($"The HTTP request failed: {ex.Message}", ex);
        }
    }

    private static async Task<ResponsesApiException> ReadErrorAsync(HttpResponseMessage response, TransferCounter? counter, CancellationToken ct)
    {
        byte[] body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        counter?.Received(body.Length);
        int status = (int)response.StatusCode;
        string? requestId = response.Headers.TryGetValues("x-request-id", out var ids) ? ids.FirstOrDefault() : null;
        ErrorDetail? detail = null;
        try
        {
            detail = body.Length > 0 ? JsonSerializer.Deserialize(body, ProtocolJsonContext.Wire.ErrorBody)?.Error : null;
        }
        catch (JsonException)
        {
        }

        string fallback = body.Length == 0
            ? $"HTTP {status} {response.ReasonPhrase}"
            : $"HTTP {status}: {Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 512))}";
        return new ResponsesApiException(status, detail?.Type, detail?.Code, detail?.Param, detail?.Message ?? fallback) { RequestId = requestId };
    }
}
