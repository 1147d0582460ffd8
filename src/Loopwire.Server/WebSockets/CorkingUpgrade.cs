using Loopwire.Server.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Loopwire.Server.WebSockets;

/// <summary>
/// Puts a <see cref="CorkableStream"/> under the WebSocket of <c>GET /v1/responses</c>: a middleware ahead of
/// <c>UseWebSockets</c> wraps the request's upgrade features (HTTP/1.1 Upgrade and HTTP/2 extended CONNECT), so the stream the
/// WebSocket middleware builds its socket on is ours; the handler finds it here once the socket is accepted.
/// </summary>
internal sealed class CorkingUpgrade
{
    /// <summary>The stream under the accepted socket; null before the upgrade.</summary>
    public CorkableStream? Stream { get; private set; }

    /// <summary>Adds the middleware; call it before <c>UseWebSockets</c>.</summary>
    public static void Use(IApplicationBuilder app, PathString path) => app.Use((context, next) =>
    {
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsConnect(context.Request.Method))
        {
            // As routing matches it: any case, a trailing slash.
            if (context.Request.Path.StartsWithSegments(path, StringComparison.OrdinalIgnoreCase, out var rest) && rest.Value is null or "" or "/")
            {
                Wrap(context.Features);
            }
        }

        return next(context);
    });

    private static void Wrap(IFeatureCollection features)
    {
        var upgrade = features.Get<IHttpUpgradeFeature>();
        var connect = features.Get<IHttpExtendedConnectFeature>();
        bool upgradable = upgrade?.IsUpgradableRequest == true;
        bool extended = connect?.IsExtendedConnect == true;
        if (!upgradable && !extended)
        {
            return;
        }

        var corking = new CorkingUpgrade();
        features.Set(corking);
        if (upgradable)
        {
            features.Set<IHttpUpgradeFeature>(new Upgrade(upgrade!, corking));
        }

        if (extended)
        {
            features.Set<IHttpExtendedConnectFeature>(new Connect(connect!, corking));
        }
    }

    private CorkableStream Wrap(Stream transport) => Stream = new CorkableStream(transport);

    private sealed class Upgrade(IHttpUpgradeFeature inner, CorkingUpgrade owner) : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => inner.IsUpgradableRequest;

        public async Task<Stream> UpgradeAsync() => owner.Wrap(await inner.UpgradeAsync().ConfigureAwait(false));
    }

    private sealed class Connect(IHttpExtendedConnectFeature inner, CorkingUpgrade owner) : IHttpExtendedConnectFeature
    {
        public bool IsExtendedConnect => inner.IsExtendedConnect;

        public string? Protocol => inner.Protocol;

        public async ValueTask<Stream> AcceptAsync() => owner.Wrap(await inner.AcceptAsync().ConfigureAwait(false));
    }
}
