using System.ComponentModel.DataAnnotations;

namespace Loopwire.Server.Grpc;

/// <summary>The gRPC transport (<c>Loopwire:Grpc:*</c>): WebSocket mode's messages over one bidirectional HTTP/2 stream.</summary>
public sealed class GrpcOptions
{
    /// <summary>Whether <c>loopwire.v1.Responses/Connect</c> is served; when false a call ends with <c>UNIMPLEMENTED</c>. <value>true</value></summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The largest client message (one <c>response.create</c>), in bytes; a larger one ends the stream with
    /// <c>RESOURCE_EXHAUSTED</c>. <value>16 MiB</value></summary>
    [Range(1024, int.MaxValue)]
    public int MaxMessageBytes { get; set; } = 16 * 1024 * 1024;
}
