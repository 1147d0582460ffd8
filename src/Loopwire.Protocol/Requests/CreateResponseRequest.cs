using System.Text.Json;
using System.Text.Json.Serialization;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Serialization;

namespace Loopwire.Protocol.Requests;

/// <summary>The body of <c>POST /v1/responses</c> and of a WebSocket <c>response.create</c>.</summary>
/// <remarks>Unknown top-level fields are ignored: real clients add new ones faster than servers learn them.</remarks>
public sealed record CreateResponseRequest
{
    /// <summary>The WebSocket message type (<c>response.create</c>); absent over HTTP.</summary>
    public string? Type { get; init; }

    /// <summary>The model name; routed to a backend (simulated profiles by default).</summary>
    public string? Model { get; init; }

    /// <summary>Input items (a string on the wire becomes one user message).</summary>
    [JsonConverter(typeof(InputConverter))]
    public IReadOnlyList<ResponseItem>? Input { get; init; }

    /// <summary>System instructions for this request only (not inherited through <c>previous_response_id</c>).</summary>
    public JsonElement? Instructions { get; init; }

    /// <summary>Tool definitions.</summary>
    public IReadOnlyList<ToolDefinition>? Tools { get; init; }

    /// <summary>Tool choice: "auto", "none", "required" or an object.</summary>
    public JsonElement? ToolChoice { get; init; }

    /// <summary>Whether the model may call several tools in one response. <value>Default true.</value></summary>
    public bool? ParallelToolCalls { get; init; }

    /// <summary>The response to continue from.</summary>
    public string? PreviousResponseId { get; init; }

    /// <summary>Whether to persist the response. <value>Default true.</value></summary>
    public bool? Store { get; init; }

    /// <summary>Whether to stream events (HTTP only; ignored over WebSocket).</summary>
    public bool? Stream { get; init; }

    /// <summary>Run in the background (HTTP only).</summary>
    public bool? Background { get; init; }

    /// <summary>Upper bound on output tokens.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Upper bound on tool calls.</summary>
    public int? MaxToolCalls { get; init; }

    /// <summary>Sampling temperature.</summary>
    public double? Temperature { get; init; }

    /// <summary>Nucleus sampling.</summary>
    public double? TopP { get; init; }

    /// <summary>Top logprobs.</summary>
    public int? TopLogprobs { get; init; }

    /// <summary>Up to 16 string pairs.</summary>
    public Dictionary<string, string>? Metadata { get; init; }

    /// <summary>Text output configuration (<c>format</c>, <c>verbosity</c>).</summary>
    public JsonElement? Text { get; init; }

    /// <summary>"auto" or "disabled". <value>Default "disabled".</value></summary>
    public string? Truncation { get; init; }

    /// <summary>Extra output to include, e.g. <c>reasoning.encrypted_content</c>.</summary>
    public IReadOnlyList<string>? Include { get; init; }

    /// <summary>Prompt cache routing key.</summary>
    public string? PromptCacheKey { get; init; }

    /// <summary>Prompt cache retention.</summary>
    public string? PromptCacheRetention { get; init; }

    /// <summary>Reasoning configuration.</summary>
    public ReasoningOptions? Reasoning { get; init; }

    /// <summary>Service tier, echoed.</summary>
    public string? ServiceTier { get; init; }

    /// <summary>End-user id, echoed.</summary>
    public string? User { get; init; }

    /// <summary>Safety identifier, echoed.</summary>
    public string? SafetyIdentifier { get; init; }

    /// <summary>Conversation id; not supported together with <c>previous_response_id</c>.</summary>
    public JsonElement? Conversation { get; init; }

    /// <summary>Automatic compaction: <c>[{"type":"compaction","compact_threshold":N}]</c>.</summary>
    public IReadOnlyList<ContextManagementEntry>? ContextManagement { get; init; }

    /// <summary>WebSocket only: false caches the context and answers without running the model.</summary>
    public bool? Generate { get; init; }

    /// <summary>WebSocket only: the lane (1-256 characters of <c>[A-Za-z0-9_.-]</c>); null for the default lane.</summary>
    public string? StreamId { get; init; }

    /// <summary>WebSocket only: client metadata (Codex puts trace context here).</summary>
    public Dictionary<string, string>? ClientMetadata { get; init; }

    /// <summary>Effective <c>store</c>.</summary>
    [JsonIgnore]
    public bool StoreOrDefault => Store ?? true;
}

/// <summary>A tool definition. Function tools are interpreted; other types are passed to the backend as they came.</summary>
public sealed record ToolDefinition
{
    /// <summary>The tool type: function, custom, web_search, ...</summary>
    [JsonPropertyOrder(-10)]
    public string? Type { get; init; }

    /// <summary>The tool name (function and custom tools).</summary>
    public string? Name { get; init; }

    /// <summary>The tool description.</summary>
    public string? Description { get; init; }

    /// <summary>The JSON schema of the arguments (function tools).</summary>
    public JsonElement? Parameters { get; init; }

    /// <summary>Strict schema adherence.</summary>
    public bool? Strict { get; init; }

    /// <summary>Other properties, written back unchanged.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>Reasoning options.</summary>
public sealed record ReasoningOptions
{
    /// <summary>Effort: minimal, low, medium, high.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Effort { get; init; }

    /// <summary>Summary: auto, concise, detailed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Summary { get; init; }

    /// <summary>Other properties.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
