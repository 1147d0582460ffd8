namespace Loopwire.Protocol.Errors;

/// <summary>An expected, client-caused (or upstream) failure, described the way OpenAI describes errors.</summary>
/// <param name="Status">The HTTP status the error maps to (400, 404, 413, 429, 500, ...).</param>
/// <param name="Type">The error type, e.g. <c>invalid_request_error</c>.</param>
/// <param name="Code">The machine-readable code, e.g. <c>previous_response_not_found</c>; may be null.</param>
/// <param name="Message">A human-readable message.</param>
/// <param name="Param">The offending parameter path, e.g. <c>input[3].call_id</c>; may be null.</param>
public sealed record ProtocolError(int Status, string Type, string? Code, string Message, string? Param)
{
    /// <summary>Creates a 400 <c>invalid_request_error</c>.</summary>
    public static ProtocolError Invalid(string message, string? param = null, string? code = ErrorCodes.InvalidValue) =>
        new(400, ErrorTypes.InvalidRequest, code, message, param);

    /// <summary>Creates a 400 error for a missing required parameter.</summary>
    public static ProtocolError Missing(string param) =>
        new(400, ErrorTypes.InvalidRequest, ErrorCodes.MissingRequiredParameter, $"Missing required parameter: '{param}'.", param);

    /// <summary>Creates a 400 error for a parameter of the wrong JSON type.</summary>
    public static ProtocolError WrongType(string param, string expected) =>
        new(400, ErrorTypes.InvalidRequest, ErrorCodes.InvalidType, $"Invalid type for '{param}': expected {expected}.", param);

    /// <summary>Creates the error returned when <c>previous_response_id</c> cannot be resolved.</summary>
    public static ProtocolError PreviousResponseNotFound(string id) =>
        new(400, ErrorTypes.InvalidRequest, ErrorCodes.PreviousResponseNotFound,
            $"Previous response with id '{id}' not found.", "previous_response_id");

    /// <summary>Creates a 404 error for an unknown response id.</summary>
    public static ProtocolError ResponseNotFound(string id) =>
        new(404, ErrorTypes.InvalidRequest, null, $"Response with id '{id}' not found.", null);

    /// <summary>Creates a 500 <c>server_error</c>.</summary>
    public static ProtocolError Server(string message) => new(500, ErrorTypes.Server, ErrorCodes.ServerError, message, null);

    /// <summary>Creates a 503 <c>store_unavailable</c>: the response store cannot be reached; retrying later may succeed.</summary>
    public static ProtocolError StoreUnavailable(string message) =>
        new(503, ErrorTypes.Server, ErrorCodes.StoreUnavailable, message, null);

    /// <summary>Converts to the wire body <c>{"error":{...}}</c>.</summary>
    public ErrorBody ToBody() => new(new ErrorDetail(Message, Type, Param, Code));
}

/// <summary>The HTTP error body: <c>{"error":{"message","type","param","code"}}</c>.</summary>
public sealed record ErrorBody(ErrorDetail Error);

/// <summary>The inner object of an OpenAI-style error.</summary>
public sealed record ErrorDetail(
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string Message,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string Type,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? Param,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? Code);

/// <summary>Thrown by the protocol readers when input is invalid; carries the <see cref="ProtocolError"/>.</summary>
/// <remarks>Only the readers throw it; everything above them passes <see cref="ProtocolError"/> as a value.</remarks>
public sealed class ProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ProtocolException(ProtocolError error) : base(error.Message) => Error = error;

    /// <summary>The error.</summary>
    public ProtocolError Error { get; }

    /// <summary>Returns a copy whose <c>param</c> is prefixed by <paramref name="prefix"/>.</summary>
    public ProtocolException WithPrefix(string prefix)
    {
        var param = string.IsNullOrEmpty(Error.Param) ? prefix : Error.Param.StartsWith('[') ? prefix + Error.Param : prefix + "." + Error.Param;
        var message = Error.Param is null ? Error.Message : Error.Message.Replace($"'{Error.Param}'", $"'{param}'", StringComparison.Ordinal);
        return new ProtocolException(Error with { Param = param, Message = message });
    }
}
