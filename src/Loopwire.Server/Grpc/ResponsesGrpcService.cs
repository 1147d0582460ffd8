using Grpc.Core;
using Loopwire.Engine;
using Loopwire.Grpc;
using Loopwire.Server.Hosting;
using Loopwire.Server.Http;
using Loopwire.Server.Limits;
using Loopwire.Server.WebSockets;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.Grpc;

/// <summary>
/// <c>loopwire.v1.Responses/Connect</c>: WebSocket mode over a bidirectional gRPC stream (HTTP/2). Auth and tenant come
/// from the same <c>authorization: Bearer</c> check as every endpoint (a refused key ends the call with
/// <c>UNAUTHENTICATED</c> before it reaches here); each stream counts as one connection of its tenant.
/// </summary>
internal sealed class ResponsesGrpcService(
    ResponseEngine engine,
    IOptions<LoopwireServerOptions> options,
    TenantLimits limits,
    DetachedCaches detached,
    ILogger<ResponsesGrpcService> logger) : Responses.ResponsesBase
{
    public override async Task Connect(IAsyncStreamReader<WireMessage> requestStream, IServerStreamWriter<WireMessage> responseStream,
        ServerCallContext context)
    {
        var opts = options.Value;
        if (!opts.Grpc.Enabled)
        {
            throw new RpcException(new Status(StatusCode.Unimplemented,
                "The gRPC transport is disabled on this server (Loopwire:Grpc:Enabled=false); use WebSocket mode or HTTP."));
        }

        var http = context.GetHttpContext();
        string partition = TenantLimits.PartitionOf(http);
        using var slot = limits.TryAcquireConnection(partition)
            ?? throw new RpcException(new Status(StatusCode.ResourceExhausted, TenantLimits.TooManyConnections(limits.MaxConnections).Message));
        var connection = new GrpcResponsesConnection(engine, ResponsesEndpoints.TenantOf(http), opts.WebSocket.MaxConnectionCacheBytes,
            http.TraceIdentifier, logger)
        {
            Limits = limits,
            Partition = partition,
            MaxMessageBytes = opts.Grpc.MaxMessageBytes,
            Detached = detached,
            Flush = ct => FlushAsync(http.Response.BodyWriter, ct),
        };
        await connection.RunAsync(requestStream, responseStream, context.CancellationToken);
    }

    private static async ValueTask FlushAsync(System.IO.Pipelines.PipeWriter body, CancellationToken ct) => await body.FlushAsync(ct);
}
