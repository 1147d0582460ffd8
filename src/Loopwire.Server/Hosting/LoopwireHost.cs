using System.Security.Cryptography;
using Loopwire.Engine;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Context.PrefixReuse;
using Loopwire.Engine.Rendering;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Errors;
using Grpc.AspNetCore.Server;
using Loopwire.Server.Auth;
using Loopwire.Server.Compaction;
using Loopwire.Server.Grpc;
using Loopwire.Server.Http;
using Loopwire.Server.Limits;
using Loopwire.Server.Stores;
using Loopwire.Server.Telemetry;
using Loopwire.Server.WebSockets;
using Loopwire.Simulation;
using Loopwire.Simulation.Scenarios;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.Hosting;

/// <summary>Builds the Loopwire web application: services, middleware and endpoints.</summary>
public static class LoopwireHost
{
    /// <summary>Creates the application from command-line style arguments and configuration.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.AddLoopwireConsole();
        builder.Services.AddLoopwireServer();
        configure?.Invoke(builder);
        var grpcPort = new GrpcCleartextEndpoint();
        grpcPort.Configure(builder);
        builder.Services.AddSingleton(grpcPort);
        builder.AddLoopwireTelemetry();
        var app = builder.Build();
        app.AddMetricsListener();
        app.UseLoopwire();
        return app;
    }

    /// <summary>Registers the engine, the simulated model, the upstream backends and their routes, the store and the options.</summary>
    public static IServiceCollection AddLoopwireServer(this IServiceCollection services)
    {
        services.AddOptions<LoopwireServerOptions>().BindConfiguration(LoopwireServerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ITokenRenderer, O200kTokenRenderer>();
        services.AddSingleton<PrefixCache>();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<LoopwireServerOptions>>().Value;
            return new SimulatedOptions { DefaultProfile = o.DefaultModelProfile, Policies = { new ScenarioOracle() } };
        });
        services.AddSingleton(sp => new SimulatedBackend(sp.GetRequiredService<SimulatedOptions>(),
            sp.GetRequiredService<ITokenRenderer>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<PrefixCache>()));
        services.AddSingleton<IValidateOptions<LoopwireServerOptions>, BackendOptionsValidator>();
        services.AddUpstreamHttpClients();
        services.AddSingleton<ModelBackends>();
        services.AddSingleton(sp => sp.GetRequiredService<ModelBackends>().Router);
        services.AddSingleton(sp => CreateStore(sp.GetRequiredService<IOptions<LoopwireServerOptions>>().Value.Store));
        services.AddOptions<StoreRetentionOptions>().BindConfiguration(StoreRetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<StoreStartup>();
        services.AddHostedService<RetentionSweeper>();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<LoopwireServerOptions>>().Value;
            var engine = new EngineOptions
            {
                MaxContextTokens = o.MaxContextTokens,
                MaxItemsPerRequest = o.MaxItemsPerRequest,
                RecordTenant = o.Telemetry.RecordTenant,
            };
            foreach (var (model, tokens) in o.ContextWindows)
            {
                engine.ContextWindows[model] = tokens;
            }

            return engine;
        });
        services.AddLoopwireCompaction();
        services.AddOptions<PrefixCacheOptions>().BindConfiguration(PrefixCacheOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new PrefixReuseCache(sp.GetRequiredService<IOptions<PrefixCacheOptions>>().Value));
        services.AddSingleton<TurnRecorder>();
        services.AddMetrics();
        services.AddSingleton<ResponseEngine>();
        services.AddSingleton<IValidateOptions<LoopwireServerOptions>, Background.BackgroundOptionsValidator>();
        services.AddSingleton<Background.BackgroundResponses>();
        services.AddSingleton(sp => new Background.BackgroundStreams(sp.GetRequiredService<Background.BackgroundResponses>(),
            sp.GetRequiredService<IResponseStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<Background.LeaseSweeper>();
        services.AddHostedService<Background.CancelListener>();
        services.AddSingleton<ApiKeyAuth>();
        services.AddSingleton<TenantLimits>();
        services.AddLoopwireRateLimiting();
        services.AddSingleton<IValidateOptions<LoopwireServerOptions>, TelemetryOptionsValidator>();
        services.AddSingleton<ReadinessProbe>();
        services.AddSingleton<ServerTelemetry>();
        services.AddSingleton<WebSocketConnectionRegistry>();
        services.AddSingleton<IValidateOptions<LoopwireServerOptions>, DetachedCacheOptionsValidator>();
        services.AddSingleton<IValidateOptions<LoopwireServerOptions>, IdlePackOptionsValidator>();
        services.AddSingleton<IdlePacker>();
        services.AddSingleton<DetachedCaches>();
        services.AddSingleton<ResponsesWebSocketHandler>();
        services.AddGrpc();
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<LoopwireServerOptions>>((g, o) =>
            g.MaxReceiveMessageSize = o.Value.Grpc.MaxMessageBytes);
        return services;
    }

    /// <summary>Adds the middleware and maps the endpoints.</summary>
    public static WebApplication UseLoopwire(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            context.Response.Headers["x-request-id"] = "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
            {
                await HttpIo.WriteErrorAsync(context, ProtocolError.Invalid(ex.Message, null, ErrorCodes.BadRequest) with { Status = ex.StatusCode });
            }
            catch (StoreUnavailableException ex) when (!context.Response.HasStarted)
            {
                StoreLog.Unavailable(context.RequestServices.GetRequiredService<ILogger<StoreStartup>>(), context.Request.Method,
                    context.Request.Path, ex.Message);
                await HttpIo.WriteErrorAsync(context, ProtocolError.StoreUnavailable(ex.Message));
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away; nothing to answer.
            }
        });
        app.UseNodeHeader();
        app.UseLoopwireProbes();
        app.Use(app.Services.GetRequiredService<ApiKeyAuth>().Middleware);
        app.UseRateLimiter();
        app.UseLoopwireMetricsEndpoint();
        var limits = app.Services.GetRequiredService<TenantLimits>();
        app.Use(async (context, next) =>
        {
            // Responses in flight per tenant, for the HTTP endpoints that generate (WebSocket turns count in the connection); a
            // compaction runs the model too.
            if (!HttpMethods.IsPost(context.Request.Method)
                || !(context.Request.Path.Equals("/v1/responses", StringComparison.Ordinal)
                     || context.Request.Path.Equals("/v1/responses/compact", StringComparison.Ordinal)
                     || context.Request.Path.Equals("/v1/chat/completions", StringComparison.Ordinal)))
            {
                await next(context);
                return;
            }

            using var slot = limits.TryAcquireResponse(TenantLimits.PartitionOf(context));
            if (slot is null)
            {
                await HttpIo.WriteErrorAsync(context, TenantLimits.TooManyResponses(limits.MaxResponses));
                return;
            }

            await next(context);
        });
        // Before UseWebSockets: it takes the upgrade features as it finds them.
        CorkingUpgrade.Use(app, "/v1/responses");
        app.UseWebSockets();
        app.MapGet("/v1/responses", (HttpContext c, ResponsesWebSocketHandler h) => h.HandleAsync(c));
        CompactionEndpoints.Map(app);
        app.MapGrpcService<ResponsesGrpcService>();
        ResponsesEndpoints.Map(app);
        ConversationsEndpoints.Map(app);
        AdminEndpoints.Map(app);
        ChatCompletionsEndpoints.Map(app);
        app.MapFallback((HttpContext c) => HttpIo.Error(new ProtocolError(404, ErrorTypes.InvalidRequest, ErrorCodes.NotFound,
            $"Unknown endpoint: {c.Request.Method} {c.Request.Path}.", null)));
        return app;
    }

    /// <summary>Creates the store named by <c>memory</c>, <c>sqlite:PATH</c> or <c>postgres:CONNECTION STRING</c>.</summary>
    /// <remarks>A PostgreSQL store opens no connection here; the server connects and migrates it when it starts.</remarks>
    /// <exception cref="OptionsValidationException">The spec names no store; the message never shows a password.</exception>
    public static IResponseStore CreateStore(string spec) =>
        StoreSpec.TryCreate(spec, out string? error)
        ?? throw new OptionsValidationException(LoopwireServerOptions.Section, typeof(LoopwireServerOptions), [error!]);

    /// <summary>A store spec as it may be shown in output and logs: a PostgreSQL connection string loses its password.</summary>
    public static string DescribeStore(string spec) => StoreSpec.Describe(spec);

    /// <summary>
    /// Connects to the configured store and migrates its schema now, before the host starts, so that a command line can
    /// report an unreachable database in one line instead of a failed host start.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The database cannot be reached; the message names the store and host.</exception>
    /// <exception cref="OptionsValidationException"><c>Loopwire:Store</c> names no store.</exception>
    public static Task ConnectStoreAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        return StoreStartup.ConnectAsync(services.GetRequiredService<IResponseStore>(),
            services.GetRequiredService<ILogger<StoreStartup>>(), cancellationToken);
    }
}
