using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Loopwire.Server.Grpc;

/// <summary>
/// The HTTP/2-only cleartext (h2c) port of the gRPC transport, <c>Loopwire:Grpc:Port</c>, next to the HTTP/1.1 + HTTP/2
/// port of everything else.
/// </summary>
/// <remarks>
/// Kestrel picks HTTP/2 on an <c>Http1AndHttp2</c> endpoint only through TLS ALPN; without TLS such an endpoint answers a
/// prior-knowledge HTTP/2 client with <c>HTTP_1_1_REQUIRED</c>. So cleartext gRPC gets its own port, and the WebSocket and
/// HTTP clients keep theirs. Behind TLS (a Kestrel HTTPS endpoint, or a proxy that speaks h2 upstream) gRPC works on the
/// main port as well. When the port is configured, the server's URLs are bound through Kestrel's listen options instead
/// of <c>urls</c>, on the same host.
/// </remarks>
public sealed class GrpcCleartextEndpoint
{
    private ListenOptions? _listen;

    /// <summary>The configuration key of the port; 0 picks a free one; absent: no cleartext gRPC port.</summary>
    public const string PortKey = "Loopwire:Grpc:Port";

    /// <summary>The address of the h2c port once the server has started, e.g. <c>http://127.0.0.1:41235/</c>; null when none is configured.</summary>
    public Uri? Url => _listen?.IPEndPoint is { } ep ? new Uri($"http://{(ep.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ep.Address}]" : ep.Address.ToString())}:{ep.Port}/") : null;

    /// <summary>Binds the configured <c>urls</c> and, when <see cref="PortKey"/> is set, the h2c port on the first URL's host.</summary>
    /// <exception cref="ArgumentException">A URL is not <c>http://HOST:PORT</c> (HTTPS is configured through <c>Kestrel:Endpoints</c> instead).</exception>
    internal void Configure(WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue<int?>(PortKey) is not { } port)
        {
            return;
        }

        if (port is < 0 or > 65535)
        {
            throw new ArgumentException($"{PortKey} must be a TCP port (0-65535), not {port}.");
        }

        string urls = builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey) is { Length: > 0 } u ? u : "http://127.0.0.1:8080";
        var addresses = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(BindingAddress.Parse).ToList();
        if (addresses.FirstOrDefault(a => a.Scheme != "http") is { } https)
        {
            throw new ArgumentException($"{PortKey} adds a cleartext port next to http:// URLs; '{https}' is not one (over TLS, gRPC uses the main port).");
        }

        builder.WebHost.UseUrls(); // Bound below; avoids Kestrel's "overriding addresses" warning.
        builder.WebHost.ConfigureKestrel(k =>
        {
            foreach (var a in addresses)
            {
                // Cleartext: HTTP/1.1 is what these ports speak anyway (HTTP/2 would need TLS ALPN).
                Listen(k, a.Host, a.Port, HttpProtocols.Http1, _ => { });
            }

            Listen(k, addresses[0].Host, port, HttpProtocols.Http2, lo => _listen = lo);

            // Listen options replace Kestrel's URL list, so the separate metrics port (Loopwire:Metrics:Port) is bound here too.
            var metrics = builder.Configuration.GetSection("Loopwire:Metrics");
            if (metrics.GetValue("Enabled", true) && metrics.GetValue("Port", 0) is > 0 and <= 65535 and int metricsPort)
            {
                Listen(k, metrics["Host"] is { Length: > 0 } h ? h : "*", metricsPort, HttpProtocols.Http1, _ => { });
            }
        });
    }

    private static void Listen(KestrelServerOptions k, string host, int port, HttpProtocols protocols, Action<ListenOptions> capture)
    {
        void Configure(ListenOptions lo)
        {
            lo.Protocols = protocols;
            capture(lo);
        }

        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
        {
            k.Listen(ip, port, Configure);
        }
        else if (host is "localhost")
        {
            k.Listen(IPAddress.Loopback, port, Configure);
        }
        else
        {
            k.ListenAnyIP(port, Configure);
        }
    }
}
