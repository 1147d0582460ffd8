using System.Text.Json;
using System.Text.Json.Serialization;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;

namespace Loopwire.Protocol.Responses;

/// <summary>The Responses API <c>response</c> object.</summary>
public sealed record ResponseObject
{
    /// <summary><c>resp_…</c></summary>
    [JsonPropertyOrder(-10)]
    public required string Id { get; init; }

    /// <summary>Always <c>response</c>.</summary>
    [JsonPropertyOrder(-9)]
    public string Object { get; init; } = "response";

    /// <summary>Unix seconds.</summary>
    public long CreatedAt { get; init; }

    /// <summary>Unix seconds when terminal, else null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public long? CompletedAt { get; init; }

    /// <summary>queued | in_progress | completed | incomplete | failed | cancelled.</summary>
    public required string Status { get; init; }

    /// <summary>Background flag.</summary>
    public bool Background { get; init; }

    /// <summary>The model name as requested.</summary>
    public required string Model { get; init; }

    /// <summary>Echo of this request's instructions.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public JsonElement? Instructions { get; init; }

    /// <summary>Output items.</summary>
    public IReadOnlyList<ResponseItem> Output { get; init; } = [];

    /// <summary>Token usage; null while streaming.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public Usage? Usage { get; init; }

    /// <summary>The response this continued from.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? PreviousResponseId { get; init; }

    /// <summary>The conversation this response belongs to (<c>{"id":"conv_…"}</c>), or null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public Conversations.ConversationReference? Conversation { get; init; }

    /// <summary>Echo of <c>store</c>.</summary>
    public bool Store { get; init; } = true;

    /// <summary>Echo of tools.</summary>
    public IReadOnlyList<ToolDefinition> Tools { get; init; } = [];

    /// <summary>Echo of tool_choice.</summary>
    public JsonElement ToolChoice { get; init; } = AutoChoice;

    /// <summary>Echo of parallel_tool_calls.</summary>
    public bool ParallelToolCalls { get; init; } = true;

    /// <summary>Echo of metadata.</summary>
    public Dictionary<string, string> Metadata { get; init; } = [];

    /// <summary>Error when failed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public ResponseError? Error { get; init; }

    /// <summary>Why the response is incomplete.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IncompleteDetails? IncompleteDetails { get; init; }

    /// <summary>Text configuration echo.</summary>
    public JsonElement Text { get; init; } = DefaultText;

    /// <summary>Truncation mode.</summary>
    public string Truncation { get; init; } = "disabled";

    /// <summary>Echo of max_output_tokens.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int? MaxOutputTokens { get; init; }

    /// <summary>Echo of max_tool_calls.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int? MaxToolCalls { get; init; }

    /// <summary>Echo of temperature.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Echo of top_p.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Echo of top_logprobs.</summary>
    public int TopLogprobs { get; init; }

    /// <summary>Reasoning echo.</summary>
    public ReasoningOptions Reasoning { get; init; } = new();

    /// <summary>Echo of prompt_cache_key.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? PromptCacheKey { get; init; }

    /// <summary>Echo of prompt_cache_retention.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? PromptCacheRetention { get; init; }

    /// <summary>Service tier.</summary>
    public string ServiceTier { get; init; } = "default";

    /// <summary>Echo of safety_identifier.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? SafetyIdentifier { get; init; }

    /// <summary>Echo of user.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? User { get; init; }

    /// <summary>Fields this version does not know (client side).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    // Parsed once: every response object starts from them (an element of a cloned document is immutable and safe to share).
    private static readonly JsonElement AutoChoice = JsonDocument.Parse("\"auto\"").RootElement.Clone();

    private static readonly JsonElement DefaultText = JsonDocument.Parse("""{"format":{"type":"text"},"verbosity":"medium"}""").RootElement.Clone();
}

/// <summary>Token usage.</summary>
public sealed record Usage
{
    /// <summary>Prompt tokens (the whole context).</summary>
    public int InputTokens { get; init; }

    /// <summary>Details of the input tokens.</summary>
    public InputTokensDetails InputTokensDetails { get; init; } = new();

    /// <summary>Generated tokens.</summary>
    public int OutputTokens { get; init; }

    /// <summary>Details of the output tokens.</summary>
    public OutputTokensDetails OutputTokensDetails { get; init; } = new();

    /// <summary>input + output.</summary>
    public int TotalTokens { get; init; }
}

/// <summary>Input token details.</summary>
public sealed record InputTokensDetails
{
    /// <summary>Tokens served from the prefix cache.</summary>
    public int CachedTokens { get; init; }
}

/// <summary>Output token details.</summary>
public sealed record OutputTokensDetails
{
    /// <summary>Reasoning tokens.</summary>
    public int ReasoningTokens { get; init; }
}

/// <summary>Error of a failed response.</summary>
public sealed record ResponseError(string Code, string Message);

/// <summary>Why a response is incomplete.</summary>
public sealed record IncompleteDetails(string Reason);

/// <summary><c>DELETE /v1/responses/{id}</c> result.</summary>
public sealed record DeletedResponse(string Id, string Object, bool Deleted);

/// <summary>A page of items.</summary>
public sealed record ItemList(
    string Object,
    IReadOnlyList<ResponseItem> Data,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FirstId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? LastId,
    bool HasMore);

/// <summary>A model entry of <c>GET /v1/models</c>.</summary>
public sealed record ModelInfo(string Id, string Object, long Created, string OwnedBy);

/// <summary>The <c>GET /v1/models</c> list.</summary>
public sealed record ModelList(string Object, IReadOnlyList<ModelInfo> Data);
