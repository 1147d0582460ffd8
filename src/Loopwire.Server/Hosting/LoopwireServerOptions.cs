using System.ComponentModel.DataAnnotations;
using Loopwire.Engine.Backends;

namespace Loopwire.Server.Hosting;

/// <summary>Server options, bound from the <c>Loopwire</c> configuration section.</summary>
public sealed class LoopwireServerOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Loopwire";

    /// <summary>
    /// Where stored responses go: <c>memory</c>, <c>sqlite:PATH</c> or <c>postgres:CONNECTION STRING</c> (Npgsql syntax).
    /// <value>sqlite:loopwire.db</value>
    /// </summary>
    /// <remarks>Its children (<c>Loopwire:Store:RetentionDays</c>) bind to <see cref="Stores.StoreRetentionOptions"/>.</remarks>
    [Required]
    public string Store { get; set; } = "sqlite:loopwire.db";

    /// <summary>The simulated profile used for model names that are not a profile. <value>sim-spark</value></summary>
    [Required]
    public string DefaultModelProfile { get; set; } = "sim-spark";

    /// <summary>The largest request body accepted, in bytes. <value>64 MiB</value></summary>
    [Range(1024, long.MaxValue)]
    public long MaxRequestBodyBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The most input items in one request. <value>10,000</value></summary>
    [Range(1, int.MaxValue)]
    public int MaxItemsPerRequest { get; set; } = 10_000;

    /// <summary>The largest context in tokens. <value>1,000,000</value></summary>
    [Range(1, int.MaxValue)]
    public int MaxContextTokens { get; set; } = 1_000_000;

    /// <summary>Whether SSE streams end with a <c>data: [DONE]</c> line. <value>false</value></summary>
    public bool SseDoneSentinel { get; set; }

    /// <summary>
    /// API keys accepted as <c>Authorization: Bearer KEY</c>, each <c>KEY</c> or <c>KEY=TENANT</c>. Empty: no auth.
    /// <value>empty</value>
    /// </summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>WebSocket mode.</summary>
    public WebSocketModeOptions WebSocket { get; set; } = new();

    /// <summary>The gRPC transport (<c>Loopwire:Grpc:*</c>).</summary>
    public Grpc.GrpcOptions Grpc { get; set; } = new();

    /// <summary>Background responses (<c>background: true</c> over HTTP).</summary>
    public Background.BackgroundOptions Background { get; set; } = new();
    /// <summary>Per-tenant limits (<c>Loopwire:Limits</c>).</summary>
    public LimitsOptions Limits { get; set; } = new();

    /// <summary>What traces and metrics may carry (<c>Loopwire:Telemetry</c>).</summary>
    public Telemetry.TelemetryOptions Telemetry { get; set; } = new();

    /// <summary>The Prometheus <c>/metrics</c> endpoint (<c>Loopwire:Metrics</c>).</summary>
    public Telemetry.MetricsOptions Metrics { get; set; } = new();

    /// <summary>
    /// This node's name, sent as the <c>x-loopwire-node</c> response header (on every HTTP response and the WebSocket
    /// upgrade) so a load balancer's log or a client can tell which node answered. Empty: <c>HOSTNAME:PORT</c> (the
    /// local port of the request's connection). <value>empty</value>
    /// </summary>
    public string NodeName { get; set; } = "";

    /// <summary>The console log format: <c>text</c> (one line per event) or <c>json</c> (one JSON object per line). <value>text</value></summary>
    public string LogFormat { get; set; } = "text";

    /// <summary>
    /// Upstream model servers by name (<c>Loopwire:Backends:NAME:Type|BaseUrl|ApiKey|TimeoutSeconds|MaxConcurrency|...</c>).
    /// A backend serves the model names that <see cref="ModelRoutes"/> send to it. The name <c>simulated</c> is the
    /// embedded model. <value>empty</value>
    /// </summary>
    public Dictionary<string, UpstreamBackendOptions> Backends { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Routes <c>GLOB=NAME</c> (<c>*</c> and <c>?</c>, case-insensitive), tried in order, e.g. <c>llama*=chat</c>; model
    /// names no route matches go to the simulated model. <value>empty</value>
    /// </summary>
    public List<string> ModelRoutes { get; set; } = [];

    /// <summary>
    /// Context windows in tokens by model name or glob, e.g. <c>Loopwire:ContextWindows:llama*=32768</c>; they override a
    /// simulated profile's own window. <value>Empty.</value>
    /// </summary>
    public Dictionary<string, int> ContextWindows { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Compaction: where its sealing keys are kept.</summary>
    public Compaction.CompactionOptions Compaction { get; set; } = new();
}

/// <summary>WebSocket mode options (<c>Loopwire:WebSocket</c>).</summary>
public sealed class WebSocketModeOptions
{
    /// <summary>Whether WebSocket mode is on; off answers the upgrade with 426. <value>true</value></summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The largest message (all frames of it), in bytes; beyond it the socket closes with 1009. <value>16 MiB</value></summary>
    [Range(1024, int.MaxValue)]
    public int MaxMessageBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary><c>response.create</c> messages that may wait on one lane while one runs there. <value>4</value></summary>
    [Range(0, 1000)]
    public int MaxQueuedRequests { get; set; } = 4;

    /// <summary>Responses running at once on one connection, across its lanes; more are queued, not refused. <value>16</value></summary>
    [Range(1, 1000)]
    public int MaxActiveResponses { get; set; } = 16;

    /// <summary>
    /// Distinct named lanes (<c>stream_id</c>s) per connection; the default lane is not counted and ids are not freed until reconnect.
    /// Beyond it <c>websocket_stream_limit_reached</c>. <value>32</value>
    /// </summary>
    [Range(0, 10_000)]
    public int MaxStreamsPerConnection { get; set; } = 32;

    /// <summary>Steers queued on one response before <c>too_many_pending_steers</c>. <value>4</value></summary>
    [Range(1, 1000)]
    public int MaxPendingSteers { get; set; } = 4;

    /// <summary>The connection age after which new responses are refused and the socket closes. <value>60 minutes</value></summary>
    public TimeSpan MaxConnectionAge { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>The memory the connection cache may hold for one connection. <value>512 MiB</value></summary>
    [Range(1024, long.MaxValue)]
    public long MaxConnectionCacheBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Server pings; 0 disables. <value>30 seconds</value></summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether permessage-deflate is accepted when the client offers it. <value>true</value></summary>
    public bool EnableCompression { get; set; } = true;

    /// <summary>Events buffered for a slow reader before generation waits for it. <value>256</value></summary>
    [Range(1, 100_000)]
    public int SendBufferEvents { get; set; } = 256;

    /// <summary>How long closing waits for the peer before aborting. <value>5 seconds</value></summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the cache of a connection that went away without a clean close is kept for a reconnecting client of the same
    /// tenant, whose <c>previous_response_id</c> then continues with a delta (a Loopwire extension); 0 keeps nothing, as
    /// OpenAI does. <value>60</value>
    /// </summary>
    [Range(0, 86_400)]
    public int DetachedCacheSeconds { get; set; } = 60;

    /// <summary>The memory the detached caches of one tenant may hold; the oldest go first. <value>256 MiB</value></summary>
    [Range(0, long.MaxValue)]
    public long MaxDetachedCacheBytesPerTenant { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// How long a session's conversation (its connection cache, or its detached cache after a drop) stays idle before it is packed:
    /// items kept as compressed JSON and tokens compressed, unpacked by the next turn. 0 never packs. <value>5 seconds</value>
    /// </summary>
    public TimeSpan PackIdleAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether memory that packing freed is given back to the OS: once packing has freed about 64 MiB since the last time, one
    /// blocking compacting collection that decommits, at most every 10 seconds and at most 5% of the time (its pause is about
    /// 0.3 to 1 s with 10,000 held sessions on 2 cores), and only at a moment when no response is in flight, so that it never
    /// freezes a stream. Without it the GC keeps the memory committed for reuse (RSS stays near its peak). <value>true</value>
    /// </summary>
    public bool ReleaseMemoryAfterPacking { get; set; } = true;
}

/// <summary>
/// Per-tenant limits (<c>Loopwire:Limits</c>). A tenant is the <c>KEY=TENANT</c> of the caller's API key, or the remote IP
/// address when the key has no tenant or auth is off. Each refusal names its configuration key.
/// </summary>
public sealed class LimitsOptions
{
    /// <summary>Open WebSocket connections per tenant; beyond it the upgrade gets 429. <value>64</value></summary>
    [Range(1, 1_000_000)]
    public int MaxWebSocketConnectionsPerTenant { get; set; } = 64;

    /// <summary>Responses generating at once per tenant, over HTTP and WebSocket; beyond it 429 (an error event over WebSocket). <value>32</value></summary>
    [Range(1, 1_000_000)]
    public int MaxResponsesInFlightPerTenant { get; set; } = 32;

    /// <summary>HTTP requests (WebSocket upgrades included) per tenant per <see cref="RateLimitWindow"/>; 0 turns rate limiting off. <value>6000</value></summary>
    [Range(0, int.MaxValue)]
    public int RequestsPerWindow { get; set; } = 6000;

    /// <summary>The fixed window of <see cref="RequestsPerWindow"/>. <value>1 minute</value></summary>
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A WebSocket with no message from the client and nothing in flight for this long is closed with 1000; 0 disables. <value>10 minutes</value></summary>
    public TimeSpan WebSocketIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);
}
