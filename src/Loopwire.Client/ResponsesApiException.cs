namespace Loopwire.Client;

/// <summary>
/// An error the server reported in the OpenAI shape: an HTTP error body <c>{"error":{...}}</c> or a WebSocket error
/// envelope <c>{"type":"error","status":400,"error":{...}}</c>.
/// </summary>
/// <remarks>The request was refused or failed on the server; the connection it came on may still be usable.</remarks>
public sealed class ResponsesApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="status">The HTTP status (or the envelope's <c>status</c>).</param>
    /// <param name="type">The error type, e.g. <c>invalid_request_error</c>.</param>
    /// <param name="code">The machine-readable code, e.g. <c>previous_response_not_found</c>.</param>
    /// <param name="param">The offending parameter, if any.</param>
    /// <param name="message">The server's message.</param>
    public ResponsesApiException(int status, string? type, string? code, string? param, string message)
        : base(message)
    {
        Status = status;
        Type = type;
        Code = code;
        Param = param;
    }

    /// <summary>The HTTP status (or the WebSocket envelope's <c>status</c>); 0 when the server sent none.</summary>
    public int Status { get; }

    /// <summary>The error type, e.g. <c>invalid_request_error</c> or <c>server_error</c>.</summary>
    public string? Type { get; }

    /// <summary>The machine-readable code, e.g. <c>previous_response_not_found</c>; may be null.</summary>
    public string? Code { get; }

    /// <summary>The offending parameter path, e.g. <c>previous_response_id</c>; may be null.</summary>
    public string? Param { get; }

    /// <summary>The <c>x-request-id</c> of the HTTP response, when there was one.</summary>
    public string? RequestId { get; init; }
}

/// <summary>The connection broke, or closed before the response's terminal event arrived.</summary>
/// <remarks>Nothing says whether the server finished the response; a client resends the full context on a new connection.</remarks>
public sealed class ResponsesConnectionException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="inner">The underlying transport error, if any.</param>
    public ResponsesConnectionException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>The WebSocket close status the peer sent, if it sent one.</summary>
    public int? CloseStatus { get; init; }
}
