namespace Loopwire.Protocol.Errors;

/// <summary>The error <c>type</c> values Loopwire sends.</summary>
public static class ErrorTypes
{
    /// <summary>The request is wrong; sending it again unchanged fails again.</summary>
    public const string InvalidRequest = "invalid_request_error";

    /// <summary>The server (or an upstream behind it) failed.</summary>
    public const string Server = "server_error";

    /// <summary>A limit on request rate or concurrency was hit.</summary>
    public const string RateLimit = "rate_limit_error";

    /// <summary>The type OpenAI gives a 429 for too many requests (with the code <c>rate_limit_exceeded</c>).</summary>
    public const string Requests = "requests";
}

/// <summary>The error <c>code</c> values Loopwire sends; server and client compare against these.</summary>
public static class ErrorCodes
{
    /// <summary>A parameter has a value that is not allowed.</summary>
    public const string InvalidValue = "invalid_value";

    /// <summary>A parameter has the wrong JSON type.</summary>
    public const string InvalidType = "invalid_type";

    /// <summary>A required parameter is missing.</summary>
    public const string MissingRequiredParameter = "missing_required_parameter";

    /// <summary>A parameter Loopwire does not support.</summary>
    public const string UnsupportedParameter = "unsupported_parameter";

    /// <summary>The body is not JSON (or not UTF-8).</summary>
    public const string InvalidJson = "invalid_json";

    /// <summary><c>previous_response_id</c> names nothing this caller can continue from.</summary>
    public const string PreviousResponseNotFound = "previous_response_not_found";

    /// <summary>An <c>item_reference</c> names no stored item.</summary>
    public const string ItemNotFound = "item_not_found";

    /// <summary>More input items than <c>Loopwire:MaxItemsPerRequest</c>.</summary>
    public const string TooManyItems = "too_many_items";

    /// <summary>The context is longer than the limit.</summary>
    public const string ContextLengthExceeded = "context_length_exceeded";

    /// <summary>A WebSocket connection's cache would pass <c>Loopwire:WebSocket:MaxConnectionCacheBytes</c>.</summary>
    public const string ConnectionCacheLimitExceeded = "connection_cache_limit_exceeded";

    /// <summary>A WebSocket connection reached its maximum age; reconnect.</summary>
    public const string WebSocketConnectionLimitReached = "websocket_connection_limit_reached";

    /// <summary>A <c>stream_id</c> that is not 1-256 characters of <c>[A-Za-z0-9_.-]</c>; nothing runs.</summary>
    public const string InvalidStreamId = "invalid_stream_id";

    /// <summary>A WebSocket already used <c>Loopwire:WebSocket:MaxStreamsPerConnection</c> distinct named lanes.</summary>
    public const string WebSocketStreamLimitReached = "websocket_stream_limit_reached";

    /// <summary><c>response.steer.failed</c>: the target names no response of this connection.</summary>
    public const string SteerResponseNotFound = "response_not_found";

    /// <summary><c>response.steer.failed</c>: the steer is malformed (a <c>stream_id</c> key, a non-user item, empty input).</summary>
    public const string SteerInvalidInput = "invalid_input";

    /// <summary><c>response.steer.failed</c>: the target already has <c>Loopwire:WebSocket:MaxPendingSteers</c> steers queued.</summary>
    public const string TooManyPendingSteers = "too_many_pending_steers";

    /// <summary><c>response.steer.failed</c>: the target completed before the steer arrived (and waits for no tool output).</summary>
    public const string ResponseAlreadyCompleted = "response_already_completed";

    /// <summary><c>response.steer.failed</c>: the target ended without completing (failed, cancelled, incomplete).</summary>
    public const string ResponseNotActive = "response_not_active";

    /// <summary><c>response.steer.failed</c>: the target cannot take this steer (a conversation's turn waiting for tool output).</summary>
    public const string SteeringNotSupported = "steering_not_supported";

    /// <summary><c>response.steer.failed</c>: the automatic successor could not be created.</summary>
    public const string SuccessorCreationFailed = "successor_creation_failed";

    /// <summary>Too many <c>response.create</c> messages are queued on one WebSocket.</summary>
    public const string WebSocketQueueFull = "websocket_queue_full";

    /// <summary>A WebSocket client message of a type the server does not know.</summary>
    public const string UnknownMessageType = "unknown_message_type";

    /// <summary>The server is shutting down; reconnect (to another node).</summary>
    public const string ServerShuttingDown = "server_shutting_down";

    /// <summary>A per-tenant rate or concurrency limit was hit.</summary>
    public const string RateLimitExceeded = "rate_limit_exceeded";

    /// <summary>A background response was cancelled.</summary>
    public const string ResponseCancelled = "response_cancelled";

    /// <summary>Replay asked for events older than the buffer keeps.</summary>
    public const string StartingAfterOutOfRange = "starting_after_out_of_range";

    /// <summary>A finished background response's events are no longer kept.</summary>
    public const string StreamExpired = "stream_expired";

    /// <summary>
    /// The node that ran a background response stopped renewing its lease (it died or lost the database); another node
    /// marked the response <c>failed</c>. The message names the lost node.
    /// </summary>
    public const string NodeLost = "node_lost";

    /// <summary>The server failed.</summary>
    public const string ServerError = "server_error";

    /// <summary>The upstream failed (5xx, broken stream).</summary>
    public const string UpstreamError = "upstream_error";

    /// <summary>The response store (its database) cannot be reached; retry later (HTTP 503).</summary>
    public const string StoreUnavailable = "store_unavailable";

    /// <summary>The upstream could not be reached.</summary>
    public const string UpstreamUnavailable = "upstream_unavailable";

    /// <summary>The upstream was silent longer than its timeout.</summary>
    public const string UpstreamTimeout = "upstream_timeout";

    /// <summary>The upstream refused Loopwire's credentials (401/403).</summary>
    public const string UpstreamAuthFailed = "upstream_auth_failed";

    /// <summary>The upstream sent something that is not the protocol.</summary>
    public const string UpstreamProtocolError = "upstream_protocol_error";

    /// <summary>The body is larger than <c>Loopwire:MaxRequestBodyBytes</c> (413).</summary>
    public const string RequestTooLarge = "request_too_large";

    /// <summary>The bearer key is not one of the configured keys (401).</summary>
    public const string InvalidApiKey = "invalid_api_key";

    /// <summary>The HTTP request itself is malformed (Kestrel refused it).</summary>
    public const string BadRequest = "bad_request";

    /// <summary>No such endpoint (404).</summary>
    public const string NotFound = "not_found";

    /// <summary>The endpoint exists, the method does not (405).</summary>
    public const string MethodNotAllowed = "method_not_allowed";

    /// <summary>WebSocket mode is switched off (426).</summary>
    public const string WebSocketDisabled = "websocket_disabled";

    /// <summary>A WebSocket message that is not one JSON text frame.</summary>
    public const string InvalidMessage = "invalid_message";

    /// <summary>A WebSocket message type that is known but not accepted on this connection.</summary>
    public const string UnsupportedMessage = "unsupported_message";

    /// <summary>The request cannot be done for this resource (e.g. cancelling a response that is not a background one).</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary><c>previous_response_id</c> names a response that has not finished.</summary>
    public const string PreviousResponseInProgress = "previous_response_in_progress";

    /// <summary>A sealed <c>encrypted_content</c> (a compaction item) was altered or is not one of this server's.</summary>
    public const string InvalidEncryptedContent = "invalid_encrypted_content";

    /// <summary>A sealed <c>encrypted_content</c> was sealed with a key this server no longer has (its keys changed).</summary>
    public const string EncryptionKeyUnavailable = "encryption_key_unavailable";

    /// <summary><c>conversation</c> names a conversation that another response is using right now (400, param <c>conversation</c>).</summary>
    public const string ConversationLocked = "conversation_locked";

    /// <summary><c>conversation</c> and <c>previous_response_id</c> were both given (400).</summary>
    public const string MutuallyExclusiveParameters = "mutually_exclusive_parameters";

    /// <summary>No conversation with that id for this tenant (404).</summary>
    public const string ConversationNotFound = "conversation_not_found";

    /// <summary>A <c>tool_choice</c> names a tool that is not in <c>tools</c> (400, param <c>tool_choice</c>).</summary>
    public const string ToolChoiceNotFound = "tool_choice_not_found";
}
