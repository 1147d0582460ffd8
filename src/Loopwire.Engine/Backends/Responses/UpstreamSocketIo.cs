using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Loopwire.Protocol.Wire;
using Microsoft.Extensions.Logging;
using Polly;

namespace Loopwire.Engine.Backends.Responses;

/// <summary>
/// The wire work of <see cref="ResponsesWebSocketBackend"/> on one upstream socket: the upgrade (retried through
/// <see cref="UpstreamResilience"/>), sending a request, reading one message. Every expected failure is a value.
/// </summary>
/// <remarks>Thread-safe; each operation has the backend's silence timeout (<see cref="UpstreamBackendOptions.Timeout"/>).</remarks>
internal sealed class UpstreamSocketIo
{
    private readonly string _name;
    private readonly UpstreamBackendOptions _options;
    private readonly HttpMessageInvoker _invoker;
    private readonly ResiliencePipeline<ConnectAttempt> _connect;
    private readonly TimeProvider _time;
    private readonly Uri _uri;

    public UpstreamSocketIo(string name, UpstreamBackendOptions options, HttpMessageInvoker invoker, TimeProvider time, ILogger logger)
    {
        _name = name;
        _options = options;
        _invoker = invoker;
        _time = time;
        _connect = UpstreamResilience.Retry<ConnectAttempt>(name, options, time, logger, static o => o.Result.RetryReason);
        var b = options.BaseUri();
        _uri = new UriBuilder(new Uri(b, "responses")) { Scheme = b.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" }.Uri;
    }

    /// <summary>Opens a socket, retrying connects that failed for a transient reason.</summary>
    public async Task<(ClientWebSocket? Socket, ModelFailed? Failure)> ConnectAsync(CancellationToken ct)
    {
        var attempt = await _connect.ExecuteAsync(static (self, t) => self.ConnectOnceAsync(t), this, ct).ConfigureAwait(false);
        return (attempt.Socket, attempt.Failure);
    }

    public async Task<ModelFailed?> SendAsync(ClientWebSocket ws, byte[] body, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            await ws.SendAsync(body, WebSocketMessageType.Text, endOfMessage: true, linked.Token).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            return ex is OperationCanceledException ? UpstreamFailures.Timeout(_name, _options.Timeout) : UpstreamFailures.Broken(_name, ex.Message);
        }
    }

    /// <summary>Reads one message; a failure when it times out, is too big, is not JSON, or the socket closed (<c>Closed</c>).</summary>
    public async Task<Received> ReceiveAsync(ClientWebSocket ws, WebSocketMessageReader reader, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            var message = await reader.ReadAsync(ws, linked.Token).ConfigureAwait(false);
            switch (message.Kind)
            {
                case WebSocketMessageKind.Close:
                    return Received.Lost(UpstreamFailures.Broken(_name, $"the WebSocket was closed ({ws.CloseStatus} {ws.CloseStatusDescription})."));
                case WebSocketMessageKind.TooBig:
                    return new Received(default, UpstreamFailures.Protocol(_name,
                        $"a message is larger than {_options.MaxMessageBytes} bytes (Loopwire:Backends:{_name}:MaxMessageBytes)."), false);
                default:
                    var json = new Utf8JsonReader(message.Payload.Span);
                    return new Received(JsonElement.ParseValue(ref json), null, false);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Received(default, UpstreamFailures.Timeout(_name, _options.Timeout), false);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is WebSocketException or IOException)
        {
            return Received.Lost(UpstreamFailures.Broken(_name, ex.Message));
        }
        catch (JsonException ex)
        {
            return new Received(default, UpstreamFailures.Protocol(_name, "a message is not JSON: " + ex.Message), false);
        }
    }

    /// <summary>One WebSocket upgrade; a failure value with a retry reason when another attempt may succeed.</summary>
    private async ValueTask<ConnectAttempt> ConnectOnceAsync(CancellationToken ct)
    {
#pragma warning disable CA2000 // Returned inside the attempt on success; disposed on every failure path below.
        var ws = new ClientWebSocket();
#pragma warning restore CA2000
        ws.Options.HttpVersion = HttpVersion.Version11;
        ws.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        ws.Options.CollectHttpResponseDetails = true;
        ws.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        ws.Options.SetRequestHeader("OpenAI-Beta", "responses_websockets=2026-02-06");
        if (!string.IsNullOrEmpty(_options.ApiKey))
        {
            ws.Options.SetRequestHeader("Authorization", "Bearer " + _options.ApiKey);
        }

        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            await ws.ConnectAsync(_uri, _invoker, linked.Token).ConfigureAwait(false);
            return new ConnectAttempt(ws, null, null);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is WebSocketException or HttpRequestException or OperationCanceledException)
        {
            int status = (int)ws.HttpStatusCode;
            ws.Dispose();
            return ex is OperationCanceledException ? ConnectAttempt.Final(UpstreamFailures.Timeout(_name, _options.Timeout))
                : status is 401 or 403 ? ConnectAttempt.Final(UpstreamFailures.FromStatus(_name, status, []))
                : status == 426 ? ConnectAttempt.Final(UpstreamFailures.Unavailable(_name,
                    $"it does not accept WebSockets (HTTP 426); use Loopwire:Backends:{_name}:Type=responses."))
                : status is >= 400 and < 500 ? ConnectAttempt.Final(UpstreamFailures.Unavailable(_name, $"HTTP {status} to the WebSocket upgrade."))
                : new ConnectAttempt(null, UpstreamFailures.Unavailable(_name, status == 0 ? ex.Message : $"HTTP {status} to the WebSocket upgrade."),
                    ex.Message);
        }
        catch
        {
            ws.Dispose();
            throw;
        }
    }

    /// <summary>A connect's outcome: the open socket, or the failure and, when worth retrying, why.</summary>
    internal readonly record struct ConnectAttempt(ClientWebSocket? Socket, ModelFailed? Failure, string? RetryReason)
    {
        public static ConnectAttempt Final(ModelFailed failure) => new(null, failure, null);
    }
}

/// <summary>One message read from an upstream socket, or why not; <c>Closed</c> when the socket is gone.</summary>
internal readonly record struct Received(JsonElement Message, ModelFailed? Failure, bool Closed)
{
    public static Received Lost(ModelFailed failure) => new(default, failure, true);
}
