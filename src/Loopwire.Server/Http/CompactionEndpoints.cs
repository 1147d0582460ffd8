using System.Text.Json;
using Loopwire.Engine;
using Loopwire.Engine.Context;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Validation;
using Loopwire.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.Http;

/// <summary><c>POST /v1/responses/compact</c> and <c>POST /v1/responses/input_tokens</c>.</summary>
/// <remarks>
/// Both take the body of a create (unknown fields such as <c>personality</c> or <c>prompt_cache_options</c> are ignored),
/// resolve and render its context exactly as a turn would, and store nothing.
/// </remarks>
internal static class CompactionEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/responses/compact", CompactAsync);
        app.MapPost("/v1/responses/input_tokens", InputTokensAsync);
    }

    private static async Task CompactAsync(HttpContext context, ResponseEngine engine, IOptions<LoopwireServerOptions> options)
    {
        var (request, error) = await ReadAsync(context, options.Value, defaultModel: null);
        if (request is null)
        {
            await HttpIo.WriteErrorAsync(context, error!);
            return;
        }

        var source = new StoreContextSource(engine.Store, ResponsesEndpoints.TenantOf(context));
        var (response, compactError) = await engine.CompactAsync(request, source, context.RequestAborted);
        if (response is null)
        {
            await HttpIo.WriteErrorAsync(context, compactError!);
            return;
        }

        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, response, ProtocolJsonContext.Wire.CompactResponse, context.RequestAborted);
    }

    private static async Task InputTokensAsync(HttpContext context, ResponseEngine engine, IOptions<LoopwireServerOptions> options)
    {
        var (request, error) = await ReadAsync(context, options.Value, options.Value.DefaultModelProfile);
        if (request is null)
        {
            await HttpIo.WriteErrorAsync(context, error!);
            return;
        }

        var source = new StoreContextSource(engine.Store, ResponsesEndpoints.TenantOf(context));
        var (tokens, countError) = await engine.CountInputTokensAsync(request, source, context.RequestAborted);
        if (tokens is null)
        {
            await HttpIo.WriteErrorAsync(context, countError!);
            return;
        }

        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new InputTokensResponse("response.input_tokens", tokens.Value),
            ProtocolJsonContext.Wire.InputTokensResponse, context.RequestAborted);
    }

    /// <summary>Reads a create body where <c>input</c> is optional (and <c>model</c> too when a default is given).</summary>
    private static async Task<(CreateResponseRequest? Request, ProtocolError? Error)> ReadAsync(HttpContext context, LoopwireServerOptions options,
        string? defaultModel)
    {
        var (body, readError) = await HttpIo.ReadBodyAsync(context.Request, options.MaxRequestBodyBytes, context.RequestAborted);
        if (readError is not null)
        {
            return (null, readError);
        }

        CreateResponseRequest? request = null;
        ProtocolError? error;
        using (body)
        {
            // An empty body is an empty request here: every field of input_tokens is optional.
            error = body!.Value.Length == 0 ? null : RequestReader.TryDeserialize(body.Value.Span, out request);
            request = body.Value.Length == 0 ? new CreateResponseRequest() : request;
        }

        if (error is not null)
        {
            return (null, error);
        }

        request = request! with
        {
            Model = string.IsNullOrWhiteSpace(request.Model) ? defaultModel : request.Model,
            Input = request.Input ?? [],
            Stream = null,
            Background = null,
        };
        error = RequestReader.Validate(request);
        return error is null ? (request, null) : (null, error);
    }
}
