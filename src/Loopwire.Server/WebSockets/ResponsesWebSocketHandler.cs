using Loopwire.Engine;
using Loopwire.Protocol.Errors;
using Loopwire.Server.Hosting;
using Loopwire.Server.Http;
using Loopwire.Server.Limits;
using Loopwire.Server.Telemetry;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.WebSockets;

/// <summary>Accepts the WebSocket upgrade on <c>/v1/responses</c> and runs one <see cref="ResponsesWebSocketConnection"/>.</summary>
internal sealed class ResponsesWebSocketHandler(
    ResponseEngine engine,
    IOptions<LoopwireServerOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    WebSocketConnectionRegistry registry,
    TenantLimits limits,
    ServerTelemetry telemetry,
    DetachedCaches detached,
    IdlePacker packer,
    ILogger<ResponsesWebSocketHandler> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        var opts = options.Value.WebSocket;
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await HttpIo.WriteErrorAsync(context, new ProtocolError(405, ErrorTypes.InvalidRequest, ErrorCodes.MethodNotAllowed,
                "GET /v1/responses is the WebSocket endpoint; send an Upgrade: websocket request, or POST to create a response over HTTP.", null));
            return;
        }

        if (!opts.Enabled)
        {
            // 426 makes Codex fall back to HTTP for the session at once.
            context.Response.Headers.Upgrade = "";
            await HttpIo.WriteErrorAsync(context, new ProtocolError(426, ErrorTypes.InvalidRequest, ErrorCodes.WebSocketDisabled,
                "WebSocket mode is disabled on this server (Loopwire:WebSocket:Enabled=false); use HTTP.", null));
            return;
        }

        string partition = TenantLimits.PartitionOf(context);
        using var slot = limits.TryAcquireConnection(partition);
        if (slot is null)
        {
            await HttpIo.WriteErrorAsync(context, TenantLimits.TooManyConnections(limits.MaxConnections));
            return;
        }

        var accept = new WebSocketAcceptContext
        {
            DangerousEnableCompression = opts.EnableCompression,
            KeepAliveInterval = opts.KeepAliveInterval,
        };
        using var ws = await context.WebSockets.AcceptWebSocketAsync(accept);
        using var traced = telemetry.OpenConnection(context);
        using var connection = new ResponsesWebSocketConnection(ws, engine, opts, time, options.Value.Limits.WebSocketIdleTimeout,
            ResponsesEndpoints.TenantOf(context), context.TraceIdentifier, logger, context.Features.Get<CorkingUpgrade>()?.Stream)
        {
            Limits = limits,
            Detached = detached,
            Packer = packer,
            Partition = partition,
            Trace = traced.Context,
            Compressed = opts.EnableCompression
                && context.Request.Headers.SecWebSocketExtensions.ToString().Contains("permessage-deflate", StringComparison.OrdinalIgnoreCase),
        };
        using var registration = registry.Add(connection);
        using var stopping = lifetime.ApplicationStopping.Register(connection.BeginShutdown);
        await connection.RunAsync(context.RequestAborted);
        traced.Closed(connection.Responses);
    }
}
