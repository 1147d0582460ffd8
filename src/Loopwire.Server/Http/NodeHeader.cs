using System.Globalization;
using Loopwire.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.Http;

/// <summary>
/// The <c>x-loopwire-node</c> response header: which node answered. Behind a load balancer it lets a log (nginx's
/// <c>$upstream_http_x_loopwire_node</c>), a script or a client count requests per node.
/// </summary>
internal static class NodeHeader
{
    /// <summary>The header name.</summary>
    public const string Name = "x-loopwire-node";

    /// <summary>Adds the header to every response, set before the endpoint runs (so the WebSocket upgrade carries it too).</summary>
    public static WebApplication UseNodeHeader(this WebApplication app)
    {
        string configured = app.Services.GetRequiredService<IOptions<LoopwireServerOptions>>().Value.NodeName.Trim();
        string host = Environment.MachineName;
        app.Use((context, next) =>
        {
            context.Response.Headers[Name] = configured.Length > 0
                ? configured
                : string.Create(CultureInfo.InvariantCulture, $"{host}:{context.Connection.LocalPort}");
            return next(context);
        });
        return app;
    }
}
