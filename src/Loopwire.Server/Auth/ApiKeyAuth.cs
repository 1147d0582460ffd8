using System.Security.Cryptography;
using System.Text;
using Loopwire.Protocol.Errors;
using Loopwire.Server.Hosting;
using Loopwire.Server.Http;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.Auth;

/// <summary>Bearer API keys, each optionally bound to a tenant. Checked before any endpoint, and before a WebSocket upgrade.</summary>
internal sealed class ApiKeyAuth
{
    internal const string TenantItem = "loopwire.tenant";

    private readonly List<(byte[] Key, string? Tenant)> _keys;

    public ApiKeyAuth(IOptions<LoopwireServerOptions> options)
    {
        _keys = options.Value.ApiKeys
            .Where(k => !string.IsNullOrWhiteSpace(k))
            .Select(k =>
            {
                int eq = k.IndexOf('=', StringComparison.Ordinal);
                return eq > 0 ? (Encoding.UTF8.GetBytes(k[..eq].Trim()), k[(eq + 1)..].Trim()) : (Encoding.UTF8.GetBytes(k.Trim()), (string?)null);
            })
            .ToList();
    }

    public bool Enabled => _keys.Count > 0;

    /// <summary>Authenticates the request; on success stores the tenant in <see cref="HttpContext.Items"/>.</summary>
    public ProtocolError? Authenticate(HttpContext context)
    {
        if (!Enabled)
        {
            return null;
        }

        string? header = context.Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return new ProtocolError(401, ErrorTypes.InvalidRequest, null,
                "You didn't provide an API key. Send it as 'Authorization: Bearer KEY'.", null);
        }

        var presented = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        foreach (var (key, tenant) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(key, presented))
            {
                context.Items[TenantItem] = tenant;
                return null;
            }
        }

        return new ProtocolError(401, ErrorTypes.InvalidRequest, ErrorCodes.InvalidApiKey, "Incorrect API key provided.", null);
    }

    public async Task Middleware(HttpContext context, RequestDelegate next)
    {
        if (Authenticate(context) is { } error)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await HttpIo.WriteErrorAsync(context, error);
            return;
        }

        await next(context);
    }
}
