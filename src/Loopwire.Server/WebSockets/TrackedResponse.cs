using System.Text.Json;
using Loopwire.Engine;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Server.WebSockets;

/// <summary>Where a response of this connection is, as steering sees it.</summary>
internal enum TrackedState
{
    /// <summary>Streaming; a steer stops it and a successor follows.</summary>
    Active,

    /// <summary>Completed with tool calls the client must answer; a steer waits for the next <c>response.create</c> on it.</summary>
    AwaitingInput,

    /// <summary>Completed (or already continued).</summary>
    Completed,

    /// <summary>Ended without completing (failed, cancelled, incomplete).</summary>
    Ended,
}

/// <summary>A steer accepted on a target and not yet applied.</summary>
/// <param name="Id">The <c>steer_…</c> id.</param>
/// <param name="Items">Its user messages.</param>
/// <param name="Input">Its original input, sent back if it fails.</param>
internal sealed record PendingSteer(string Id, IReadOnlyList<ResponseItem> Items, JsonElement? Input);

/// <summary>One response of the connection: its lane, its request (a successor inherits it), its stop switch and its steers.</summary>
/// <remarks>Guarded by the <see cref="SteerCoordinator"/>'s lock.</remarks>
internal sealed class TrackedResponse(string id, string? lane, CreateResponseRequest request, ResponseStop stop)
{
    public string Id => id;

    public string? Lane => lane;

    /// <summary>The request; once the response ended, without its input (a successor sends its own; the history it carried is
    /// the conversation's, kept by the lane's cache, and would otherwise stay alive for as long as the response is remembered).</summary>
    public CreateResponseRequest Request { get; private set; } = request;

    /// <summary>Drops the request's input: the response ended.</summary>
    public void ForgetInput()
    {
        if (Request.Input is { Count: > 0 })
        {
            Request = Request with { Input = [] };
        }
    }

    public ResponseStop Stop => stop;

    public TrackedState State { get; set; } = TrackedState.Active;

    public List<PendingSteer> Steers { get; } = [];

    /// <summary>The tool outputs an <see cref="TrackedState.AwaitingInput"/> response waits for.</summary>
    public IReadOnlyList<RequiredInput> Required { get; set; } = [];
}
