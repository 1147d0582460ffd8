using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Responses;

namespace Loopwire.Engine;

/// <summary>How a response ended: the terminal response object, the error when it failed, and whether it was stored.</summary>
/// <param name="Response">
/// The terminal response object (<c>completed</c>, <c>incomplete</c>, <c>failed</c> or <c>cancelled</c>), exactly as
/// the terminal event carried it.
/// </param>
/// <param name="Error">
/// Why the response failed (HTTP status, type, code, message); null unless <see cref="ResponseObject.Status"/> is
/// <c>failed</c>. A non-streaming transport answers with this status: an upstream's 4xx, 502/504 for upstream failures.
/// </param>
/// <param name="Stored">Whether <paramref name="Response"/> is in the response store.</param>
/// <remarks>Built only by the engine's finalizer; transports read it instead of inspecting the last event.</remarks>
public sealed record ResponseOutcome(ResponseObject Response, ProtocolError? Error, bool Stored)
{
    /// <summary>Whether the response failed (then <see cref="Error"/> is set).</summary>
    public bool IsFailed => Error is not null;
}
