using System.Text.Json;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Serialization;

namespace Loopwire.Client.Sessions;

/// <summary>
/// Remembers the latest response of a session (its id, its full context, the connection that holds it) and decides
/// whether the next turn can be sent as a delta after it.
/// </summary>
/// <remarks>
/// The Codex rule: a turn is a delta when the transport can chain, the request options are unchanged (everything but
/// <c>input</c>, <c>previous_response_id</c>, <c>metadata</c> and <c>client_metadata</c>), and the conversation starts
/// with the previous context (see <see cref="ContextComparer"/>). A chain bound to a connection that has since been
/// replaced is lost, unless the session tries deltas after a reconnect (a Loopwire server keeps a dropped connection's
/// cache detached); a chain resumed from a checkpoint has no connection and is tried optimistically.
/// Not thread-safe: the session runs one turn at a time.
/// </remarks>
internal sealed class DeltaPlanner
{
    private readonly bool _supportsDelta;
    private readonly bool? _forcedStore;
    private readonly bool _deltaAfterReconnect;
    private Chain? _chain;

    /// <param name="supportsDelta">Whether the transport can send <c>previous_response_id</c> plus new items.</param>
    /// <param name="forcedStore">The <c>store</c> value the transport requires; null keeps the caller's (default false).</param>
    /// <param name="resumeFrom">A checkpoint to continue from, or null.</param>
    /// <param name="deltaAfterReconnect">Whether a chain bound to a replaced connection is still tried as a delta first.</param>
    public DeltaPlanner(bool supportsDelta, bool? forcedStore, SessionCheckpoint? resumeFrom = null, bool deltaAfterReconnect = false)
    {
        _supportsDelta = supportsDelta;
        _forcedStore = forcedStore;
        _deltaAfterReconnect = deltaAfterReconnect;
        if (resumeFrom is not null)
        {
            _chain = new Chain(resumeFrom.ResponseId, [.. resumeFrom.Context], null, resumeFrom.Options, Key(Template(resumeFrom.Options)));
        }
    }

    /// <summary>The latest response and its full context; null before the first turn, after a failed one, or after a raw continuation.</summary>
    public SessionCheckpoint? Checkpoint => _chain is { Context: { } context } c ? new SessionCheckpoint(c.ResponseId, context, c.OptionsSource) : null;

    /// <summary>Forgets the chain: the next turn is sent in full.</summary>
    public void Reset() => _chain = null;

    /// <summary>Plans a turn.</summary>
    /// <param name="items">The full conversation, or the exact items of a raw continuation.</param>
    /// <param name="options">The caller's request options.</param>
    /// <param name="rawPreviousResponseId">For a raw continuation, the response to continue; else null.</param>
    /// <param name="connection">The connection the turn goes out on (null for a connectionless transport).</param>
    public TurnPlan Plan(IReadOnlyList<ResponseItem> items, CreateResponseRequest options, string? rawPreviousResponseId, object? connection)
    {
        var template = Template(options);
        byte[] key = ReferenceEquals(options, _chain?.OptionsSource) ? _chain!.OptionsKey : Key(template);
        if (rawPreviousResponseId is not null)
        {
            return new TurnPlan(items, options, template, key, items, rawPreviousResponseId, true, false);
        }

        if (_supportsDelta && _chain is { Context: { } context } chain
            && (ReferenceEquals(options, chain.OptionsSource) || key.AsSpan().SequenceEqual(chain.OptionsKey))
            && ContextComparer.StartsWith(items, context))
        {
            if (chain.Connection is not null && !ReferenceEquals(chain.Connection, connection) && !_deltaAfterReconnect)
            {
                return new TurnPlan(items, options, template, key, null, null, false, true);
            }

            return new TurnPlan(items, options, template, key, ContextComparer.Tail(items, context.Count), chain.ResponseId, false, false);
        }

        return new TurnPlan(items, options, template, key, null, null, false, false);
    }

    /// <summary>Remembers the turn's response as the new chain when it can be continued, else forgets the chain.</summary>
    /// <param name="plan">The turn's plan.</param>
    /// <param name="response">The terminal response.</param>
    /// <param name="connection">The connection the response lives on (null for a connectionless transport).</param>
    public void Complete(TurnPlan plan, ResponseObject response, object? connection)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(response);
        if (response.Status is not (ResponseStatus.Completed or ResponseStatus.Incomplete))
        {
            _chain = null;
            return;
        }

        List<ResponseItem>? context = null;
        if (!plan.IsRawContinuation)
        {
            context = new List<ResponseItem>(plan.Items.Count + response.Output.Count);
            context.AddRange(plan.Items);
            context.AddRange(response.Output);
        }

        _chain = new Chain(response.Id, context, connection, plan.Options, plan.OptionsKey);
    }

    /// <summary>The request template: input and chaining cleared, <c>store</c> fixed by the transport.</summary>
    private CreateResponseRequest Template(CreateResponseRequest options) => options with
    {
        Type = null,
        Input = null,
        PreviousResponseId = null,
        Stream = null,
        Generate = null,
        Store = _forcedStore ?? options.Store ?? false,
    };

    /// <summary>The bytes that decide "options unchanged": every field but the per-request metadata.</summary>
    private static byte[] Key(CreateResponseRequest template) =>
        JsonSerializer.SerializeToUtf8Bytes(template with { Metadata = null, ClientMetadata = null }, ProtocolJsonContext.Wire.CreateResponseRequest);

    /// <summary>The latest response: its id, its full context (null when unknown), the connection that holds it.</summary>
    private sealed record Chain(string ResponseId, List<ResponseItem>? Context, object? Connection,
        CreateResponseRequest OptionsSource, byte[] OptionsKey);
}
