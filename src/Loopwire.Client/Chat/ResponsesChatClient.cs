using System.Runtime.CompilerServices;
using Loopwire.Client.Sessions;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Streaming;
using Microsoft.Extensions.AI;

namespace Loopwire.Client.Chat;

/// <summary>An <see cref="IChatClient"/> over a <see cref="ResponseSession"/>.</summary>
/// <remarks>
/// <see cref="ChatOptions.ConversationId"/> follows Microsoft.Extensions.AI's meaning for stateful servers: the response
/// id comes back as <see cref="ChatResponse.ConversationId"/> (except over <see cref="SessionTransport.HttpStateless"/>,
/// where nothing is addressable by it), and a caller that passes it sends only the new messages. The client keeps the
/// full context of its recent responses, so the session can still replay it if the server lost it; an id it does not
/// know is sent as a plain <c>previous_response_id</c> continuation.
/// </remarks>
internal sealed class ResponsesChatClient : IChatClient
{
    private const int RememberedContexts = 16;

    private readonly ResponseSession _session;
    private readonly string? _defaultModelId;
    private readonly ChatClientMetadata _metadata;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, IReadOnlyList<ResponseItem>> _contexts = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public ResponsesChatClient(ResponseSession session, string? defaultModelId, Uri? endpoint)
    {
        _session = session;
        _defaultModelId = defaultModelId;
        _metadata = new ChatClientMetadata("loopwire", endpoint, defaultModelId);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        TurnResult? result = null;
        await foreach (var update in StartTurn(messages, options, cancellationToken).ConfigureAwait(false))
        {
            if (update.Result is { } r)
            {
                // Still inside the session's turn: its checkpoint is this response's.
                Remember(r.Response.Id);
                result = r;
            }
        }

        var response = result!.Response;
        return new ChatResponse(ChatMapping.ToMessage(response))
        {
            ResponseId = response.Id,
            ConversationId = ConversationIdFor(response.Id),
            ModelId = response.Model,
            CreatedAt = DateTimeOffset.FromUnixTimeSeconds(response.CreatedAt),
            FinishReason = ChatMapping.FinishReason(response),
            Usage = ChatMapping.ToUsage(response.Usage),
            RawRepresentation = result,
        };
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return StreamCoreAsync(messages, options, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType == typeof(ResponseSession) ? _session
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamCoreAsync(IEnumerable<ChatMessage> messages, ChatOptions? options,
        [EnumeratorCancellation] CancellationToken ct)
    {
        string? responseId = null;
        string? conversationId = null;
        string? model = null;
        DateTimeOffset? createdAt = null;
        await foreach (var update in StartTurn(messages, options, ct).ConfigureAwait(false))
        {
            if (update.Result is { } result)
            {
                var response = result.Response;
                Remember(response.Id);
                yield return new ChatResponseUpdate(ChatRole.Assistant, ChatMapping.ToUsage(response.Usage) is { } usage ? [new UsageContent(usage)] : [])
                {
                    ResponseId = response.Id,
                    ConversationId = ConversationIdFor(response.Id),
                    ModelId = response.Model,
                    CreatedAt = createdAt,
                    FinishReason = ChatMapping.FinishReason(response),
                    RawRepresentation = result,
                };
                continue;
            }

            var e = update.Event!;
            if (e is ResponseCreatedEvent created)
            {
                responseId = created.Response.Id;
                conversationId = ConversationIdFor(responseId);
                model = created.Response.Model;
                createdAt = DateTimeOffset.FromUnixTimeSeconds(created.Response.CreatedAt);
            }

            AIContent? content = e switch
            {
                OutputTextDeltaEvent d => new TextContent(d.Delta),
                ReasoningSummaryTextDeltaEvent r => new TextReasoningContent(r.Delta),
                OutputItemDoneEvent { Item: FunctionCallItem f } => ChatMapping.ToCall(f),
                _ => null,
            };
            if (content is null)
            {
                continue;
            }

            yield return new ChatResponseUpdate(ChatRole.Assistant, [content])
            {
                ResponseId = responseId,
                ConversationId = conversationId,
                MessageId = e switch
                {
                    ContentEvent c => c.ItemId,
                    ReasoningSummaryEvent r => r.ItemId,
                    OutputItemDoneEvent o => o.Item.Id,
                    _ => null,
                },
                ModelId = model,
                CreatedAt = createdAt,
                RawRepresentation = e,
            };
        }
    }

    private IAsyncEnumerable<SessionUpdate> StartTurn(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken ct)
    {
        CreateResponseRequest request = ChatMapping.ToRequest(options, _defaultModelId);
        var items = ChatMapping.ToItems(messages);
        if (options?.ConversationId is not { } conversationId)
        {
            return _session.StreamTurnAsync(items, request, ct);
        }

        IReadOnlyList<ResponseItem>? context;
        lock (_lock)
        {
            _contexts.TryGetValue(conversationId, out context);
        }

        if (context is null)
        {
            return _session.StreamContinuationAsync(conversationId, items, request, ct);
        }

        var full = new List<ResponseItem>(context.Count + items.Count);
        full.AddRange(context);
        full.AddRange(items);
        return _session.StreamTurnAsync(full, request, ct);
    }

    private void Remember(string responseId)
    {
        if (_session.Checkpoint is not { } checkpoint || checkpoint.ResponseId != responseId)
        {
            return;
        }

        lock (_lock)
        {
            if (_contexts.TryAdd(responseId, checkpoint.Context))
            {
                _order.Enqueue(responseId);
                if (_order.Count > RememberedContexts)
                {
                    _contexts.Remove(_order.Dequeue());
                }
            }
        }
    }

    private string? ConversationIdFor(string responseId) =>
        _session.Transport == SessionTransport.HttpStateless ? null : responseId;
}
