using System.ComponentModel.DataAnnotations;

namespace Loopwire.Engine.Backends;

/// <summary>
/// One upstream model server, bound from <c>Loopwire:Backends:NAME</c>: an OpenAI-compatible Chat Completions server
/// (llama.cpp, Ollama, vLLM, LiteLLM) or another Responses server (over HTTP, or over pooled WebSockets).
/// </summary>
/// <remarks>Read once when the backend is created; validated at start-up.</remarks>
public sealed class UpstreamBackendOptions
{
    /// <summary>The Chat Completions type name.</summary>
    public const string ChatType = "chat";

    /// <summary>The Responses-over-HTTP (SSE) type name.</summary>
    public const string ResponsesType = "responses";

    /// <summary>The Responses-over-pooled-WebSockets type name.</summary>
    public const string ResponsesWebSocketType = "responses-ws";

    /// <summary>The known type names.</summary>
    public static IReadOnlyList<string> Types { get; } = [ChatType, ResponsesType, ResponsesWebSocketType];

    /// <summary><c>chat</c>, <c>responses</c> or <c>responses-ws</c>. <value>chat</value></summary>
    [Required]
    public string Type { get; set; } = ChatType;

    /// <summary>
    /// The API base, up to and including the version segment, e.g. <c>http://127.0.0.1:11434/v1</c>; requests go to
    /// <c>{BaseUrl}/chat/completions</c> or <c>{BaseUrl}/responses</c>. <value>none (required)</value>
    /// </summary>
    [Required]
    public string? BaseUrl { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer KEY</c> when set. <value>none</value></summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// How long to wait for the upstream's response headers and then for each further piece of the stream; beyond it the
    /// response fails with <c>upstream_timeout</c> (504). <value>300 seconds (local models may prefill for minutes)</value>
    /// </summary>
    [Range(0.001, 86_400)]
    public double TimeoutSeconds { get; set; } = 300;

    /// <summary>Requests in flight to this upstream at once; more wait for a slot. <value>16</value></summary>
    [Range(1, 100_000)]
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>
    /// Retries of a request that got no byte of answer (connection refused or reset, 502/503/504), with a short backoff.
    /// Nothing is retried once the stream has started. <value>2</value>
    /// </summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>The first retry's backoff; each next one doubles it. <value>200 ms</value></summary>
    [Range(0, 60_000)]
    public int RetryDelayMilliseconds { get; set; } = 200;

    /// <summary>
    /// The model names this backend serves, for <c>GET /v1/models</c>. Empty: asked from the upstream's <c>/models</c>
    /// (lazily, bounded by <see cref="ModelListTimeoutSeconds"/>, remembered for a minute). <value>empty</value>
    /// </summary>
    public List<string> Models { get; set; } = [];

    /// <summary>How long asking the upstream for its models may take. <value>5 seconds</value></summary>
    [Range(0.001, 600)]
    public double ModelListTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// Chat only: the request field that carries <c>max_output_tokens</c>: <c>max_tokens</c> (llama.cpp, Ollama, vLLM) or
    /// <c>max_completion_tokens</c> (OpenAI's reasoning models). <value>max_tokens</value>
    /// </summary>
    [RegularExpression("^(max_tokens|max_completion_tokens)$")]
    public string MaxTokensParameter { get; set; } = "max_tokens";

    /// <summary>
    /// Chat only: send <c>reasoning.effort</c> as <c>reasoning_effort</c>. Turn off for a server that refuses the field
    /// (OpenAI refuses it for models without reasoning). <value>true</value>
    /// </summary>
    public bool SendReasoningEffort { get; set; } = true;

    /// <summary>
    /// <c>responses-ws</c> only: upstream WebSockets kept open, one per downstream conversation; beyond it the least
    /// recently used is closed (that conversation replays its full context next time). <value>64</value>
    /// </summary>
    [Range(1, 100_000)]
    public int MaxConnections { get; set; } = 64;

    /// <summary><c>responses-ws</c> only: the largest upstream message accepted. <value>16 MiB</value></summary>
    [Range(1024, int.MaxValue)]
    public int MaxMessageBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The timeout as a span.</summary>
    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    /// <summary>The base URL with a trailing slash, so relative paths append to it.</summary>
    public Uri BaseUri()
    {
        string s = BaseUrl ?? throw new InvalidOperationException("BaseUrl is not set.");
        return new Uri(s.EndsWith('/') ? s : s + "/", UriKind.Absolute);
    }
}
