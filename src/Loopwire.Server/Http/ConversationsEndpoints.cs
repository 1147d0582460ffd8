using System.Globalization;
using Loopwire.Engine;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Conversations;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Serialization;
using Loopwire.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.Http;

/// <summary>The Conversations API: <c>/v1/conversations</c> and its items, scoped by tenant, in the response store's database.</summary>
internal static class ConversationsEndpoints
{
    private const int DefaultLimit = 20;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/conversations", CreateAsync);
        app.MapGet("/v1/conversations/{id}", GetAsync);
        app.MapPost("/v1/conversations/{id}", UpdateAsync);
        app.MapDelete("/v1/conversations/{id}", DeleteAsync);
        app.MapPost("/v1/conversations/{id}/items", AddItemsAsync);
        app.MapGet("/v1/conversations/{id}/items", ListItemsAsync);
        app.MapGet("/v1/conversations/{id}/items/{itemId}", GetItemAsync);
        app.MapDelete("/v1/conversations/{id}/items/{itemId}", DeleteItemAsync);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ResponseEngine engine, TimeProvider time, IOptions<LoopwireServerOptions> options)
    {
        var ct = context.RequestAborted;
        if (Store(engine) is not { } store)
        {
            return HttpIo.Error(NoConversations());
        }

        var (request, error) = await ReadAsync<CreateConversationRequest>(context, options, ConversationRequestReader.TryParseCreate);
        if (error is not null)
        {
            return HttpIo.Error(error);
        }

        var conversation = new StoredConversation(Ids.NewItemId("conv"), ResponsesEndpoints.TenantOf(context),
            time.GetUtcNow().ToUnixTimeSeconds(), request!.Metadata);
        await store.CreateConversationAsync(conversation, WithIds(request.Items), ct);
        return Results.Json(ToWire(conversation), ProtocolJsonContext.Wire.ConversationObject);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, ResponseEngine engine)
    {
        if (Store(engine) is not { } store)
        {
            return HttpIo.Error(NoConversations());
        }

        var conversation = await store.GetConversationAsync(id, ResponsesEndpoints.TenantOf(context), context.RequestAborted);
        return conversation is null
            ? HttpIo.Error(ConversationErrors.NotFound(id))
            : Results.Json(ToWire(conversation), ProtocolJsonContext.Wire.ConversationObject);
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext context, ResponseEngine engine, IOptions<LoopwireServerOptions> options)
    {
        var ct = context.RequestAborted;
        if (Store(engine) is not { } store)
        {
            return HttpIo.Error(NoConversations());
        }

        var (request, error) = await ReadAsync<UpdateConversationRequest>(context, options, ConversationRequestReader.TryParseUpdate);
        if (error is not null)
        {
            return HttpIo.Error(error);
        }

        var updated = await store.UpdateConversationAsync(id, ResponsesEndpoints.TenantOf(context), request!.Metadata, ct);
        return updated is null
            ? HttpIo.Error(ConversationErrors.NotFound(id))
            : Results.Json(ToWire(updated), ProtocolJsonContext.Wire.ConversationObject);
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext context, ResponseEngine engine)
    {
        if (Store(engine) is not { } store)
        {
            return HttpIo.Error(NoConversations());
        }

        return await store.DeleteConversationAsync(id, ResponsesEndpoints.TenantOf(context), context.RequestAborted)
            ? Results.Json(new ConversationDeleted(id, "conversation.deleted", true), ProtocolJsonContext.Wire.ConversationDeleted)
            : HttpIo.Error(ConversationErrors.NotFound(id));
    }

    private static async Task<IResult> AddItemsAsync(string id, HttpContext context, ResponseEngine engine, IOptions<LoopwireServerOptions> options)
    {
        var ct = context.RequestAborted;
        if (Store(engine) is not { } store)
        {
            return HttpIo.Error(NoConversations());
        }

        var (request, error) = await ReadAsync<AddConversationItemsRequest>(context, options, ConversationRequestReader.TryParseAddItems);
        if (error is not null)
        {
            return HttpIo.Error(error);
        }

        var items = WithIds(request!.Items);
        return await store.AppendConversationItemsAsync(id, ResponsesEndpoints.TenantOf(context), items, ct)
            ? Results.Json(new ItemList("list", items, items.FirstOrDefault()?.Id, items.LastOrDefault()?.Id, false), ProtocolJsonContext.Wire.ItemList)
            : HttpIo.Error(ConversationErrors.NotFound(id));
    }

    private static async Task<IResult> ListItemsAsync(string id, HttpContext context, ResponseEngine engine)
    {
        if (Store(engine) is not { } store)
        {
            return HttpIo.Error(NoConversations());
        }

        var q = context.Request.Query;
        int limit = DefaultLimit;
        if (q.TryGetValue("limit", out var l) && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            return HttpIo.Error(ProtocolError.Invalid($"Invalid 'limit': '{l}'. Expected an integer between 1 and 100.", "limit"));
        }

        string order = q.TryGetValue("order", out var o) ? o.ToString() : "desc";
        if (order is not ("asc" or "desc"))
        {
            return HttpIo.Error(ProtocolError.Invalid($"Invalid value for 'order': '{order}'. Supported values are: 'asc' and 'desc'.", "order"));
        }

        string? after = q.TryGetValue("after", out var a) && !string.IsNullOrEmpty(a) ? a.ToString() : null;
        var page = await store.ListConversationItemsAsync(id, ResponsesEndpoints.TenantOf(context),
            new ConversationItemQuery(after, limit, order == "asc"), context.RequestAborted);
        if (page is null)
        {
            return HttpIo.Error(ConversationErrors.NotFound(id));
        }

        if (page.AfterNotFound)
        {
            return HttpIo.Error(ProtocolError.Invalid($"Invalid 'after': no item with id '{after}' in conversation '{id}'.", "after"));
        }

        var data = page.Items;
        return Results.Json(new ItemList("list", data, data.FirstOrDefault()?.Id, data.LastOrDefault()?.Id, page.HasMore), ProtocolJsonContext.Wire.ItemList);
    }

    private static async Task<IResult> GetItemAsync(string id, string itemId, HttpContext context, ResponseEngine engine)
    {
        if (Store(engine) is not { } store)
        {
            return HttpIo.Error(NoConversations());
        }

        var tenant = ResponsesEndpoints.TenantOf(context);
        var item = await store.GetConversationItemAsync(id, itemId, tenant, context.RequestAborted);
        if (item is not null)
        {
            return Results.Json(item, ProtocolJsonContext.Wire.ResponseItem);
        }

        return HttpIo.Error(await store.GetConversationAsync(id, tenant, context.RequestAborted) is null
            ? ConversationErrors.NotFound(id)
            : ConversationErrors.ItemNotFound(id, itemId));
    }

    private static async Task<IResult> DeleteItemAsync(string id, string itemId, HttpContext context, ResponseEngine engine)
    {
        var ct = context.RequestAborted;
        if (Store(engine) is not { } store)
        {
            return HttpIo.Error(NoConversations());
        }

        var tenant = ResponsesEndpoints.TenantOf(context);
        bool deleted = await store.DeleteConversationItemAsync(id, itemId, tenant, ct);
        var conversation = await store.GetConversationAsync(id, tenant, ct);
        if (conversation is null)
        {
            return HttpIo.Error(ConversationErrors.NotFound(id));
        }

        return deleted
            ? Results.Json(ToWire(conversation), ProtocolJsonContext.Wire.ConversationObject)
            : HttpIo.Error(ConversationErrors.ItemNotFound(id, itemId));
    }

    private static IConversationStore? Store(ResponseEngine engine) => engine.Store as IConversationStore;

    private static ProtocolError NoConversations() =>
        new(501, ErrorTypes.InvalidRequest, ErrorCodes.UnsupportedParameter, "This server's store does not keep conversations.", null);

    private static List<ResponseItem> WithIds(IReadOnlyList<ResponseItem> items) =>
        [.. items.Select(i => i.Id is null ? i with { Id = Ids.NewItemId(Ids.PrefixFor(i.Type)) } : i)];

    private static ConversationObject ToWire(StoredConversation c) => new(c.Id, "conversation", c.CreatedAt, c.Metadata);

    private delegate ProtocolError? BodyParser<T>(ReadOnlySpan<byte> utf8Json, out T? request);

    /// <summary>Reads the request body (bounded by <c>Loopwire:MaxRequestBodyBytes</c>) and parses it; one of the two is null.</summary>
    private static async Task<(T? Request, ProtocolError? Error)> ReadAsync<T>(HttpContext context, IOptions<LoopwireServerOptions> options,
        BodyParser<T> parse)
        where T : class
    {
        var (body, readError) = await HttpIo.ReadBodyAsync(context.Request, options.Value.MaxRequestBodyBytes, context.RequestAborted);
        if (readError is not null)
        {
            return (null, readError);
        }

        using (body)
        {
            var error = parse(body!.Value.Span, out var request);
            return (request, error);
        }
    }
}
