using Loopwire.Engine;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Server.WebSockets;

/// <summary>
/// Steering and interrupts on one connection: knows the connection's responses, accepts <c>response.steer</c> and
/// <c>response.interrupt</c>, stops the target, and decides what follows when a steered target ends.
/// </summary>
/// <remarks>
/// Step 1 a steer on an active target is accepted (<c>response.steer.accepted</c>) and asks the engine to stop the target after its
/// current output item; Step 2 when the target ends <c>completed</c> with client tool calls, each steer gets
/// <c>response.steer.pending</c> and waits for the next <c>response.create</c> on that parent (its input is prepended); otherwise
/// Step 3 the lane runs an automatic successor: the target's settings, <c>previous_response_id</c> = the target, input = the steers'
/// messages in submission order. Every other case is a <c>response.steer.failed</c> with the original input.
/// Thread-safe: the receive loop and every lane call it.
/// </remarks>
internal sealed class SteerCoordinator(ILaneOutput output, int maxPendingSteers)
{
    /// <summary>How many ended responses stay known (for <c>response_already_completed</c> rather than <c>response_not_found</c>).</summary>
    public const int Remembered = 256;

    private readonly Dictionary<string, TrackedResponse> _responses = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _lock = new();
    private int _sequence = -1;

    /// <summary>Registers a response that is about to stream on <paramref name="lane"/>.</summary>
    public TrackedResponse Track(PreparedResponse p, string? lane)
    {
        var t = new TrackedResponse(p.Id, lane, p.Request, p.Stop);
        lock (_lock)
        {
            _responses[p.Id] = t;
            _order.Enqueue(p.Id);
            while (_order.Count > Remembered && _order.TryPeek(out var oldest))
            {
                if (_responses.TryGetValue(oldest, out var o) && o.State == TrackedState.Active)
                {
                    break;
                }

                _order.Dequeue();
                _responses.Remove(oldest);
            }
        }

        return t;
    }

    /// <summary>
    /// A <c>response.create</c> continues <paramref name="parentId"/>: the parent is no longer steerable, and the steers queued on it
    /// while it waited for tool output come back (in submission order) to be prepended to the request's input.
    /// </summary>
    public IReadOnlyList<ResponseItem> TakeQueued(string parentId)
    {
        lock (_lock)
        {
            if (!_responses.TryGetValue(parentId, out var t) || t.State == TrackedState.Active)
            {
                return [];
            }

            var items = t.State == TrackedState.AwaitingInput ? t.Steers.SelectMany(s => s.Items).ToList() : [];
            t.Steers.Clear();
            t.State = t.State == TrackedState.Ended ? TrackedState.Ended : TrackedState.Completed;
            return items;
        }
    }

    /// <summary>Handles <c>response.steer</c>.</summary>
    public void Steer(SteerMessage m)
    {
        if (m.Error is not null)
        {
            Fail(null, m.PreviousResponseId, m.Input, null, m.Error.Code!, m.Error.Message);
            return;
        }

        lock (_lock)
        {
            if (!_responses.TryGetValue(m.PreviousResponseId!, out var t))
            {
                Fail(null, m.PreviousResponseId, m.Input, null, ErrorCodes.SteerResponseNotFound,
                    $"No response with id '{m.PreviousResponseId}' is active on this connection.");
                return;
            }

            if (t.State is TrackedState.Completed or TrackedState.Ended || t.Stop.Reason == ResponseStop.Interrupted)
            {
                bool completed = t.State == TrackedState.Completed;
                Fail(null, t.Id, m.Input, t.Lane, completed ? ErrorCodes.ResponseAlreadyCompleted : ErrorCodes.ResponseNotActive,
                    completed ? $"Response '{t.Id}' already completed; send a new 'response.create' with it as 'previous_response_id'."
                        : $"Response '{t.Id}' is not active.");
                return;
            }

            if (t.State == TrackedState.AwaitingInput && t.Request.Conversation is not null)
            {
                Fail(null, t.Id, m.Input, t.Lane, ErrorCodes.SteeringNotSupported,
                    ConversationAwaitingInput(t.Id));
                return;
            }

            if (t.Steers.Count >= maxPendingSteers)
            {
                Fail(null, t.Id, m.Input, t.Lane, ErrorCodes.TooManyPendingSteers,
                    $"Response '{t.Id}' already has {maxPendingSteers} pending steers (Loopwire:WebSocket:MaxPendingSteers).");
                return;
            }

            var steer = new PendingSteer(Ids.NewItemId("steer"), m.Items!, m.Input);
            t.Steers.Add(steer);
            // Inside the lock: the reply is queued before the target's end can be handled, so it precedes the successor.
            output.SendControl(new SteerAcceptedEvent { SequenceNumber = Next(), Steer = new SteerInfo(steer.Id, t.Id) }, t.Lane);
            if (t.State == TrackedState.AwaitingInput)
            {
                SendPending(t, steer);
            }
            else
            {
                // A Responses WebSocket upstream takes the steer itself; any other backend stops here (cancel-and-continue).
                t.Stop.Steer(steer.Items);
            }
        }
    }

    /// <summary>Handles Codex's <c>response.interrupt</c>: the active response stops now and drops its partial item.</summary>
    public void Interrupt(InterruptMessage m)
    {
        lock (_lock)
        {
            if (!_responses.TryGetValue(m.ResponseId!, out var t) || t.State != TrackedState.Active)
            {
                bool known = t is not null;
                output.SendError(ProtocolError.Invalid(known ? $"Response '{m.ResponseId}' is not active." : $"No response with id '{m.ResponseId}' on this connection.",
                    "response_id", known ? ErrorCodes.ResponseNotActive : ErrorCodes.SteerResponseNotFound), t?.Lane);
                return;
            }

            // Steers and interrupts request their stops under this lock, so a response with no stop yet takes this one (an
            // upstream that took a steer may end it meanwhile; it ends either way). The reply is queued before the stop: the
            // lane's events after it (its terminal one) cannot overtake it, as with a steer's reply.
            if (t.Stop.Reason is null)
            {
                output.SendControl(new InterruptAcceptedEvent { SequenceNumber = Next(), ResponseId = t.Id }, t.Lane);
                t.Stop.Request(ResponseStop.Interrupted, discardPartial: true);
            }
        }
    }

    /// <summary>Records how <paramref name="t"/> ended and returns the successor to run next on its lane, if any.</summary>
    public (CreateResponseRequest? Successor, IReadOnlyList<PendingSteer> Steers) Ended(TrackedResponse t, ResponseOutcome? outcome)
    {
        lock (_lock)
        {
            var request = t.Request;
            t.ForgetInput();
            var response = outcome?.Response;
            var steers = t.Steers.ToList();
            var calls = response?.Output.Where(i => i is FunctionCallItem or CustomToolCallItem).ToList() ?? [];
            if (response?.Status == ResponseStatus.Completed && calls.Count > 0 && t.Request.Conversation is not null && steers.Count > 0)
            {
                // A conversation's next turn names no parent, so a queued steer would have nothing to be prepended to.
                t.Steers.Clear();
                t.State = TrackedState.Completed;
                FailAll(steers, t, ErrorCodes.SteeringNotSupported,
                    ConversationAwaitingInput(t.Id));
                return (null, []);
            }

            if (response?.Status == ResponseStatus.Completed && calls.Count > 0)
            {
                t.State = TrackedState.AwaitingInput;
                t.Required = calls.Select(c => c is FunctionCallItem f
                    ? new RequiredInput("function_call_output", f.CallId, f.Name)
                    : new RequiredInput("custom_tool_call_output", ((CustomToolCallItem)c).CallId, null)).ToList();
                foreach (var s in steers)
                {
                    SendPending(t, s);
                }

                return (null, []);
            }

            t.Steers.Clear();
            t.State = response?.Status == ResponseStatus.Completed ? TrackedState.Completed : TrackedState.Ended;
            if (steers.Count == 0)
            {
                return (null, []);
            }

            if (response?.Status is not (ResponseStatus.Completed or ResponseStatus.Incomplete))
            {
                FailAll(steers, t, ErrorCodes.ResponseNotActive, $"Response '{t.Id}' ended {response?.Status ?? "cancelled"} before the steer applied.");
                return (null, []);
            }

            // A conversation-bound target's successor continues in the conversation, which already holds the target's output.
            var successor = request with
            {
                Input = steers.SelectMany(s => s.Items).ToList(),
                PreviousResponseId = request.Conversation is null ? t.Id : null,
                Generate = null,
            };
            return (successor, steers);
        }
    }

    /// <summary>The successor of <paramref name="targetId"/> could not be created: its steers fail.</summary>
    public void SuccessorFailed(IReadOnlyList<PendingSteer> steers, string targetId, string? lane, ProtocolError error)
    {
        foreach (var s in steers)
        {
            Fail(s.Id, targetId, s.Input, lane, ErrorCodes.SuccessorCreationFailed, "The successor response could not be created: " + error.Message);
        }
    }

    private static string ConversationAwaitingInput(string id) =>
        $"Response '{id}' belongs to a conversation and waits for tool output; send the steer's input with that output.";

    private void FailAll(List<PendingSteer> steers, TrackedResponse t, string code, string message)
    {
        foreach (var s in steers)
        {
            Fail(s.Id, t.Id, s.Input, t.Lane, code, message);
        }
    }

    private void SendPending(TrackedResponse t, PendingSteer s) =>
        output.SendControl(new SteerPendingEvent { SequenceNumber = Next(), Steer = new SteerInfo(s.Id, t.Id), RequiredInput = t.Required }, t.Lane);

    private void Fail(string? steerId, string? target, System.Text.Json.JsonElement? input, string? lane, string code, string message) =>
        output.SendControl(new SteerFailedEvent
        {
            SequenceNumber = Next(),
            Steer = new SteerInfo(steerId, target) { Input = input },
            Error = new ErrorDetailWithType(ErrorTypes.InvalidRequest, code, message, null),
        }, lane);

    private int Next() => Interlocked.Increment(ref _sequence);
}
