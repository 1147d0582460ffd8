using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Loopwire.Engine;
using Loopwire.Engine.Context;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;
using Loopwire.Protocol.Validation;
using Loopwire.Server.Background;
using Loopwire.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.Http;

/// <summary>The HTTP + SSE endpoints of the Responses API.</summary>
internal static class ResponsesEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/responses", CreateAsync);
        app.MapGet("/v1/responses/{id}", GetAsync);
        app.MapDelete("/v1/responses/{id}", DeleteAsync);
        app.MapGet("/v1/responses/{id}/input_items", InputItemsAsync);
        app.MapPost("/v1/responses/{id}/cancel", CancelAsync);
        app.MapGet("/v1/models", ModelsAsync);
    }

    /// <summary>The tenant of the caller (null until auth assigns one).</summary>
    internal static string? TenantOf(HttpContext context) => context.Items.TryGetValue(Auth.ApiKeyAuth.TenantItem, out var t) ? t as string : null;

    private static async Task CreateAsync(HttpContext context, ResponseEngine engine, BackgroundResponses background,
        IOptions<LoopwireServerOptions> options)
    {
        var ct = context.RequestAborted;
        var opts = options.Value;
        var (body, readError) = await HttpIo.ReadBodyAsync(context.Request, opts.MaxRequestBodyBytes, ct);
        if (readError is not null)
        {
            await HttpIo.WriteErrorAsync(context, readError);
            return;
        }

        // Server overhead is measured from the last byte received, as for a WebSocket message.
        long start = Stopwatch.GetTimestamp();

        Protocol.Requests.CreateResponseRequest? request;
        ProtocolError? parseError;
        using (body)
        {
            parseError = RequestReader.TryParse(body!.Value.Span, engine.ItemParseCache(TenantOf(context)), out request);
        }

        if (parseError is null && request!.Background == true && !request.StoreOrDefault)
        {
            // As OpenAI: a background response is polled from the store, so it must be stored.
            parseError = ProtocolError.Invalid(
                "Background mode requires storage: 'background': true cannot be used with 'store': false.", "background", ErrorCodes.InvalidValue);
        }

        if (parseError is not null)
        {
            await HttpIo.WriteErrorAsync(context, parseError);
            return;
        }

        bool stream = request!.Stream == true;
        var timings = new TurnTimings { Transport = stream ? "sse" : "http", Parse = TurnTimings.Since(start) };
        var source = new StoreContextSource(engine.Store, TenantOf(context));
        var prepared = await engine.PrepareAsync(request, source, timings, ct);
        if (prepared.Error is not null)
        {
            await HttpIo.WriteErrorAsync(context, prepared.Error);
            return;
        }

        var p = prepared.Prepared!;
        if (request.Background == true)
        {
            // The run belongs to the server, not to this request: a dropped client does not cancel it.
            var (run, queued) = await background.StartAsync(p, ct);
            if (stream)
            {
                await WriteSseAsync(context, run.FollowAsync(-1, ct), opts.SseDoneSentinel, ct);
                return;
            }

            context.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(context.Response.Body, queued, ProtocolJsonContext.Wire.ResponseObject, ct);
            return;
        }

        if (stream)
        {
            await WriteSseAsync(context, engine.StreamAsync(p, ct), opts.SseDoneSentinel, ct);
            return;
        }

        await foreach (var _ in engine.StreamAsync(p, ct))
        {
        }

        var outcome = p.Outcome!;
        if (outcome.Error is not null)
        {
            await HttpIo.WriteErrorAsync(context, outcome.Error);
            return;
        }

        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, outcome.Response, ProtocolJsonContext.Wire.ResponseObject, ct);
    }

    /// <summary>Writes events as SSE: those ready together in one write, each sent before waiting for the next, a terminal one at once.</summary>
    /// <remarks>With the WebSocket's event writer: the same bytes as the serializer's, deltas from pre-encoded pieces.</remarks>
    internal static async Task WriteSseAsync(HttpContext context, IAsyncEnumerable<ResponseEvent> events, bool doneSentinel, CancellationToken ct)
    {
        HttpIo.StartSse(context.Response);
        using var eventWriter = new ResponseEventWriter();
        await HttpIo.WriteSseAsync(context.Response, events, (buffer, writer, e) => eventWriter.Write(buffer, writer, e), static e => e.EventType,
            doneSentinel, ct, static e => e.IsTerminal);
    }

    /// <summary><c>GET /v1/responses/{id}</c>, or with <c>?stream=true[&amp;starting_after=N]</c> the events of a background response.</summary>
    /// <remarks>
    /// A replay sends the kept events after <c>N</c> (all of them without <c>starting_after</c>), then follows the
    /// run live until its terminal event, on whichever node it runs (<see cref="BackgroundStreams"/>); nothing is
    /// generated again. The errors are decided before the first byte.
    /// </remarks>
    private static async Task GetAsync(string id, HttpContext context, ResponseEngine engine, BackgroundStreams streams,
        IOptions<LoopwireServerOptions> options)
    {
        var ct = context.RequestAborted;
        var q = context.Request.Query;
        bool stream = q["stream"] == "true";
        int startingAfter = -1;
        if (q.TryGetValue("starting_after", out var sa) && !string.IsNullOrEmpty(sa)
            && (!int.TryParse(sa, NumberStyles.None, CultureInfo.InvariantCulture, out startingAfter)))
        {
            await HttpIo.WriteErrorAsync(context, ProtocolError.Invalid(
                $"Invalid 'starting_after': '{sa}'. Expected a non-negative integer (a sequence_number).", "starting_after"));
            return;
        }

        var tenant = TenantOf(context);
        var stored = await engine.Store.GetAsync(id, tenant, ct);
        if (stored is null)
        {
            await HttpIo.WriteErrorAsync(context, ProtocolError.ResponseNotFound(id));
            return;
        }

        if (!stream)
        {
            context.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(context.Response.Body, stored.Response, ProtocolJsonContext.Wire.ResponseObject, ct);
            return;
        }

        var (events, error) = await streams.OpenAsync(id, tenant, stored.Response, startingAfter, ct);
        if (error is not null)
        {
            await HttpIo.WriteErrorAsync(context, error);
            return;
        }

        await WriteSseAsync(context, events!, options.Value.SseDoneSentinel, ct);
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext context, ResponseEngine engine)
    {
        bool deleted = await engine.Store.DeleteAsync(id, TenantOf(context), context.RequestAborted);
        return deleted
            ? Results.Json(new DeletedResponse(id, "response.deleted", true), ProtocolJsonContext.Wire.DeletedResponse)
            : HttpIo.Error(ProtocolError.ResponseNotFound(id));
    }

    /// <summary><c>POST /v1/responses/{id}/cancel</c>: stops a running background response.</summary>
    /// <remarks>
    /// Answers the response object once the run has stored its final status: <c>cancelled</c>, or whatever it had
    /// already finished with (cancelling a finished background response returns it unchanged, so a retry is harmless).
    /// A response created without <c>background</c> gets a 400.
    /// </remarks>
    private static async Task<IResult> CancelAsync(string id, HttpContext context, ResponseEngine engine, BackgroundResponses background)
    {
        var ct = context.RequestAborted;
        var tenant = TenantOf(context);
        var stored = await engine.Store.GetAsync(id, tenant, ct);
        if (stored is null)
        {
            return HttpIo.Error(ProtocolError.ResponseNotFound(id));
        }

        if (!stored.Response.Background)
        {
            return HttpIo.Error(ProtocolError.Invalid(
                $"Response '{id}' was not created with 'background': true; only background responses can be cancelled.", null, ErrorCodes.InvalidRequest));
        }

        ResponseObject? final = null;
        if (background.Find(id, tenant) is { } run)
        {
            final = await background.CancelAsync(run, ct);
        }
        else if (stored.Response.Status is ResponseStatus.Queued or ResponseStatus.InProgress)
        {
            // Running on another node (which is asked to cancel it), or left behind by one that stopped.
            final = await background.CancelElsewhereAsync(stored, tenant, ct);
        }

        if (final is null)
        {
            final = (await engine.Store.GetAsync(id, tenant, ct))?.Response;
        }

        return final is null
            ? HttpIo.Error(ProtocolError.ResponseNotFound(id))
            : Results.Json(final, ProtocolJsonContext.Wire.ResponseObject);
    }

    private static async Task<IResult> InputItemsAsync(string id, HttpContext context, ResponseEngine engine)
    {
        var q = context.Request.Query;
        int limit = 20;
        if (q.TryGetValue("limit", out var l) && (!int.TryParse(l, out limit) || limit is < 1 or > 100))
        {
            return HttpIo.Error(ProtocolError.Invalid($"Invalid 'limit': '{l}'. Expected an integer between 1 and 100.", "limit"));
        }

        string order = q.TryGetValue("order", out var o) ? o.ToString() : "desc";
        if (order is not ("asc" or "desc"))
        {
            return HttpIo.Error(ProtocolError.Invalid($"Invalid value for 'order': '{order}'. Supported values are: 'asc' and 'desc'.", "order"));
        }

        var stored = await engine.Store.GetAsync(id, TenantOf(context), context.RequestAborted);
        if (stored is null)
        {
            return HttpIo.Error(ProtocolError.ResponseNotFound(id));
        }

        IEnumerable<ResponseItem> items = order == "asc" ? stored.Input : stored.Input.Reverse();
        if (q.TryGetValue("after", out var after) && !string.IsNullOrEmpty(after))
        {
            var list = items.ToList();
            int index = list.FindIndex(i => i.Id == after);
            if (index < 0)
            {
                return HttpIo.Error(ProtocolError.Invalid($"Invalid 'after': no item with id '{after}' in this response's input.", "after"));
            }

            items = list.Skip(index + 1);
        }

        var page = items.Take(limit + 1).ToList();
        bool more = page.Count > limit;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }

        return Results.Json(new ItemList("list", page, page.FirstOrDefault()?.Id, page.LastOrDefault()?.Id, more),
            ProtocolJsonContext.Wire.ItemList);
    }

    private static async Task<IResult> ModelsAsync(HttpContext context, ResponseEngine engine, TimeProvider time)
    {
        long now = time.GetUtcNow().ToUnixTimeSeconds();
        var models = await engine.Router.ListModelsAsync(context.RequestAborted);
        var data = models.Select(m => new ModelInfo(m, "model", now, "loopwire")).ToList();
        return Results.Json(new ModelList("list", data), ProtocolJsonContext.Wire.ModelList);
    }
}
