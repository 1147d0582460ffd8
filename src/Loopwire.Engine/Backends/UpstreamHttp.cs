using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Loopwire.Engine.Backends;

/// <summary>
/// The HTTP side shared by the upstream backends: a slot per request (<see cref="UpstreamBackendOptions.MaxConcurrency"/>),
/// the request, the idle timeout, and error mapping.
/// </summary>
/// <remarks>
/// Thread-safe. The caller owns the <see cref="HttpClient"/>: its <c>Timeout</c> should be infinite, and its handlers do the
/// retries before the first byte (<see cref="UpstreamResilience.CreateHttpHandler"/>; the server adds it to each upstream's
/// named client). Dispose it after the last call has ended.
/// </remarks>
internal sealed class UpstreamHttp : IDisposable
{
    private static readonly TimeSpan ModelListFresh = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ModelListRetry = TimeSpan.FromSeconds(10);

    private readonly UpstreamBackendOptions _options;
    private readonly HttpClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly Uri _base;
    private readonly Lock _modelsLock = new();
    private (IReadOnlyList<string> Models, long At, bool Ok)? _models;

    public UpstreamHttp(string name, UpstreamBackendOptions options, HttpClient client, TimeProvider time, ILogger logger)
    {
        Name = name;
        _options = options;
        _client = client;
        _time = time;
        _logger = logger;
        _slots = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        _base = options.BaseUri();
    }

    public string Name { get; }

    public UpstreamBackendOptions Options => _options;

    public ILogger Logger => _logger;

    /// <summary>Waits for a slot; dispose the result to give it back.</summary>
    public async Task<IDisposable> AcquireSlotAsync(CancellationToken ct)
    {
        await _slots.WaitAsync(ct).ConfigureAwait(false);
        return new Slot(_slots);
    }

    /// <summary>
    /// POSTs <paramref name="body"/> to <c>{BaseUrl}/{path}</c> and returns the open response stream, or the failure.
    /// </summary>
    /// <remarks>
    /// Step 1 take a slot; Step 2 send (the client's handler retries, before the first byte, what
    /// <see cref="UpstreamResilience"/> calls transient); Step 3 map a non-success status to a failure (4xx keeps its
    /// status). The idle timeout covers the wait for the headers, retries included. Cancelling <paramref name="ct"/> throws.
    /// </remarks>
    public async Task<UpstreamCall> PostStreamAsync(string path, byte[] body, CancellationToken ct)
    {
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            UpstreamLog.RequestBody(_logger, Name, System.Text.Encoding.UTF8.GetString(body));
        }

        // Step 1
        var slot = await AcquireSlotAsync(ct).ConfigureAwait(false);
#pragma warning disable CA2000 // Returned to the caller, who disposes it; disposed here when this method throws.
        var call = new UpstreamCall(this, slot, _time, ct);
#pragma warning restore CA2000
        try
        {
            // Step 2
            call.ArmTimeout();
            HttpResponseMessage response;
            using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_base, path)) { Content = new ByteArrayContent(body) })
            {
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                Authorize(request);
                try
                {
                    response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, call.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    return call.Fail(UpstreamFailures.Timeout(Name, _options.Timeout));
                }
                catch (HttpRequestException ex) when (!ct.IsCancellationRequested)
                {
                    return call.Fail(UpstreamFailures.Unavailable(Name, ex.Message));
                }
            }

            if (response.IsSuccessStatusCode)
            {
                var stream = await response.Content.ReadAsStreamAsync(call.Token).ConfigureAwait(false);
                return call.Open(response, stream);
            }

            // Step 3
            using (response)
            {
                byte[] errorBody;
                try
                {
                    errorBody = await ReadBoundedAsync(response.Content, 64 * 1024, call.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    errorBody = [];
                }

                return call.Fail(UpstreamFailures.FromStatus(Name, (int)response.StatusCode, errorBody));
            }
        }
        catch
        {
            await call.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The upstream's <c>GET {BaseUrl}/models</c> ids, remembered for a minute (a failure for ten seconds).</summary>
    public async Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken ct)
    {
        if (_options.Models.Count > 0)
        {
            return _options.Models;
        }

        lock (_modelsLock)
        {
            if (_models is { } m && _time.GetElapsedTime(m.At) < (m.Ok ? ModelListFresh : ModelListRetry))
            {
                return m.Models;
            }
        }

        IReadOnlyList<string> models = [];
        bool ok = false;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.ModelListTimeoutSeconds), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_base, "models"));
            Authorize(request);
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var body = await ReadBoundedAsync(response.Content, 4 * 1024 * 1024, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                UpstreamLog.ModelListFailed(_logger, Name, $"HTTP {(int)response.StatusCode}");
            }
            else
            {
                using var doc = JsonDocument.Parse(body);
                models = ReadModelIds(doc.RootElement);
                ok = true;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException or InvalidOperationException
            || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            UpstreamLog.ModelListFailed(_logger, Name, ex is OperationCanceledException ? "timed out" : ex.Message);
        }

        lock (_modelsLock)
        {
            _models = (models, _time.GetTimestamp(), ok);
        }

        return models;
    }

    /// <summary>Frees the slots' semaphore; a call still holding a slot gives it back without error.</summary>
    public void Dispose() => _slots.Dispose();

    internal void Authorize(HttpRequestMessage request)
    {
        if (!string.IsNullOrEmpty(_options.ApiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey);
        }
    }

    /// <summary>OpenAI's <c>{"data":[{"id":..}]}</c>; Ollama's native <c>{"models":[{"name":..}]}</c> too.</summary>
    private static List<string> ReadModelIds(JsonElement root)
    {
        var ids = new List<string>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ids;
        }

        foreach (var (list, key) in new[] { ("data", "id"), ("models", "name") })
        {
            if (root.TryGetProperty(list, out var arr) && arr.ValueKind == JsonValueKind.Array)
            {
                foreach (var m in arr.EnumerateArray())
                {
                    if (m.ValueKind == JsonValueKind.Object && m.TryGetProperty(key, out var id) && id.ValueKind == JsonValueKind.String)
                    {
                        ids.Add(id.GetString()!);
                    }
                }
            }
        }

        return ids;
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, int limit, CancellationToken ct)
    {
        var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int n;
            while (buffer.Length < limit && (n = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, (int)Math.Min(n, limit - buffer.Length));
            }

            return buffer.ToArray();
        }
    }

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                try
                {
                    slots.Release();
                }
                catch (ObjectDisposedException)
                {
                    // The backend was disposed (server shutdown) while this call was still streaming.
                }
            }
        }
    }
}

/// <summary>
/// One upstream request: its slot, its idle timeout (re-armed before each read), and either an open response stream or a
/// failure. Disposing aborts the request if it is still streaming, so the upstream sees the client go away.
/// </summary>
internal sealed class UpstreamCall : IAsyncDisposable
{
    private readonly UpstreamHttp _owner;
    private readonly IDisposable _slot;
    private readonly CancellationToken _caller;
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenSource _linked;
    private HttpResponseMessage? _response;

    public UpstreamCall(UpstreamHttp owner, IDisposable slot, TimeProvider time, CancellationToken caller)
    {
        _owner = owner;
        _slot = slot;
        _caller = caller;
        _timeout = new CancellationTokenSource(System.Threading.Timeout.InfiniteTimeSpan, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(caller, _timeout.Token);
    }

    /// <summary>Cancelled by the caller or by the idle timeout.</summary>
    public CancellationToken Token => _linked.Token;

    public ModelFailed? Failure { get; private set; }

    public Stream? Body { get; private set; }

    public void ArmTimeout() => _timeout.CancelAfter(_owner.Options.Timeout);

    internal UpstreamCall Fail(ModelFailed failure)
    {
        UpstreamLog.Failed(_owner.Logger, _owner.Name, failure.Code, failure.Status, failure.Message);
        Failure = failure;
        return this;
    }

    internal UpstreamCall Open(HttpResponseMessage response, Stream body)
    {
        _response = response;
        Body = body;
        return this;
    }

    /// <summary>
    /// Turns an exception from reading the stream into a failure: the idle timeout, a lost connection. False for the
    /// caller's own cancellation (which propagates) and for bugs.
    /// </summary>
    public bool TryClassify(Exception ex, out ModelFailed? failure)
    {
        failure = null;
        if (_caller.IsCancellationRequested)
        {
            UpstreamLog.Cancelled(_owner.Logger, _owner.Name);
            return false;
        }

        if (ex is OperationCanceledException && _timeout.IsCancellationRequested)
        {
            failure = UpstreamFailures.Timeout(_owner.Name, _owner.Options.Timeout);
        }
        else if (ex is IOException or HttpRequestException)
        {
            failure = UpstreamFailures.Broken(_owner.Name, ex.Message);
        }
        else
        {
            return false;
        }

        UpstreamLog.Failed(_owner.Logger, _owner.Name, failure.Code, failure.Status, failure.Message);
        return true;
    }

    /// <summary>Logs a failure found in the stream's content.</summary>
    public ModelFailed Report(ModelFailed failure)
    {
        UpstreamLog.Failed(_owner.Logger, _owner.Name, failure.Code, failure.Status, failure.Message);
        return failure;
    }

    public async ValueTask DisposeAsync()
    {
        if (Body is not null)
        {
            await Body.DisposeAsync().ConfigureAwait(false);
        }

        _response?.Dispose();
        _linked.Dispose();
        _timeout.Dispose();
        _slot.Dispose();
    }
}
