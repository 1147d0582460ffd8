using Loopwire.Engine;
using Loopwire.Simulation;
using Loopwire.Protocol.Admin;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Serialization;

namespace Loopwire.Server.Http;

/// <summary>Loopwire's own (non-OpenAI) endpoints under <c>/loopwire/v1/</c>; the payloads are <see cref="Protocol.Admin"/>'s, shared with the bench.</summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/loopwire/v1/turns", Turns);
        app.MapGet("/loopwire/v1/cost-model", CostModel);
    }

    /// <summary>The server's own stage timings of the caller's recent turns (<c>?after=SEQ</c> or <c>?response_id=ID</c>).</summary>
    /// <remarks>Scoped to the caller's tenant like the stored responses: another tenant's turn is not found.</remarks>
    private static IResult Turns(HttpContext context, ResponseEngine engine)
    {
        var q = context.Request.Query;
        var tenant = ResponsesEndpoints.TenantOf(context);
        if (q.TryGetValue("response_id", out var id) && !string.IsNullOrEmpty(id))
        {
            var one = engine.Recorder.Find(id!, tenant);
            return one is null
                ? HttpIo.Error(ProtocolError.ResponseNotFound(id!))
                : Results.Json(new TurnList([ToWire(one)]), ProtocolJsonContext.Default.TurnList);
        }

        long after = q.TryGetValue("after", out var a) && long.TryParse(a, out var v) ? v : -1;
        return Results.Json(new TurnList([.. engine.Recorder.Since(after, tenant).Select(ToWire)]), ProtocolJsonContext.Default.TurnList);
    }

    /// <summary>The simulated model's cost model, per profile (the benchmark states it in its report).</summary>
    private static IResult CostModel(SimulatedOptions simulated) =>
        Results.Json(new CostModelList(
            [.. simulated.Profiles.Select(p => new CostModelProfile(p.Name, p.BaseLatencyMs, p.PrefillTokensPerSecond, p.DecodeTokensPerSecond))],
            simulated.DefaultProfile, Engine.Rendering.RenderedContext.BlockSize), ProtocolJsonContext.Default.CostModelList);

    private static TurnStages ToWire(TurnRecord r) => new(r.Sequence, r.ResponseId, r.Transport, r.Status, r.ParseMs, r.ResolveMs,
        r.RenderMs, r.ValidateMs, r.StoreMs, r.BackendTtftMs, r.BackendMs, r.OverheadMs, r.ItemsReceived, r.ItemsRendered,
        r.TokensRendered, r.PromptTokens, r.CachedTokens, r.OutputTokens, r.FromCache)
    {
        Continuation = r.Continuation,
        PrefixTokensReused = r.PrefixTokensReused,
    };
}
