using System.Text;
using Loopwire.Engine.Backends;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Engine;

/// <summary>
/// The chunk-to-event state machine: turns model chunks into output items and the events that add, fill and finish them.
/// </summary>
/// <remarks>
/// At most one item is open at a time. A chunk of another kind (or a new tool call) closes the open item first, so
/// every item gets exactly one <c>output_item.added</c> and one <c>output_item.done</c>, in output order. Chunks that
/// carry no output (prompt processed, finished, failed) are the caller's. One per response; not thread-safe.
/// </remarks>
internal sealed class OutputEventBuilder(EventSequencer sequencer, bool includeEncryptedReasoning)
{
    private enum ItemKind
    {
        None,
        Message,
        Reasoning,
        FunctionCall,
        CustomToolCall,
        Refusal,
    }

    private readonly List<ResponseItem> _output = [];
    private readonly PooledText _buffer = new();
    private readonly PooledText _reasoningText = new();
    private string? _encryptedReasoning;
    private ItemKind _open;
    private string? _openId;
    private string? _callId;
    private string? _callName;

    /// <summary>The items closed so far, in output order.</summary>
    public IReadOnlyList<ResponseItem> Output => _output;

    /// <summary>Whether an item is open (added, not yet done).</summary>
    public bool HasOpenItem => _open != ItemKind.None;

    /// <summary>Whether stopping now loses no half-written tool call or reasoning item (nothing open, or a message that can be cut).</summary>
    public bool Cuttable => _open is ItemKind.None or ItemKind.Message;

    /// <summary>Whether <paramref name="chunk"/> adds to the open item rather than starting another.</summary>
    public bool Continues(ModelChunk chunk) => (chunk, _open) switch
    {
        (TextDelta, ItemKind.Message) => true,
        (ReasoningDelta, ItemKind.Reasoning) => true,
        (ToolCallArgumentsDelta, ItemKind.FunctionCall) => true,
        _ => false,
    };

    /// <summary>Drops the open item without its done events (an interrupt discards partial items).</summary>
    public void Discard()
    {
        _buffer.Clear();
        _open = ItemKind.None;
        _openId = null;
    }

    /// <summary>
    /// The one event of a delta that continues the open item (most of a turn's chunks), without the iterator of
    /// <see cref="Add"/>; false when <paramref name="chunk"/> opens or closes an item, and nothing is done.
    /// </summary>
    public bool TryAddDelta(ModelChunk chunk, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ResponseEvent? e)
    {
        switch (chunk)
        {
            case TextDelta t when _open == ItemKind.Message:
                _buffer.Append(t.Text);
                e = new OutputTextDeltaEvent { ItemId = _openId!, OutputIndex = _output.Count, ContentIndex = 0, Delta = t.Text, SequenceNumber = sequencer.Take() };
                return true;
            case ReasoningDelta r when _open == ItemKind.Reasoning:
                _buffer.Append(r.Text);
                e = new ReasoningSummaryTextDeltaEvent { ItemId = _openId!, OutputIndex = _output.Count, Delta = r.Text, SequenceNumber = sequencer.Take() };
                return true;
            case ToolCallArgumentsDelta a when _open == ItemKind.FunctionCall:
                _buffer.Append(a.Delta);
                e = new FunctionCallArgumentsDeltaEvent { ItemId = _openId!, OutputIndex = _output.Count, Delta = a.Delta, SequenceNumber = sequencer.Take() };
                return true;
            default:
                e = null;
                return false;
        }
    }

    /// <summary>The events one chunk produces (none for chunks that carry no output).</summary>
    public IEnumerable<ResponseEvent> Add(ModelChunk chunk)
    {
        switch (chunk)
        {
            case ReasoningDelta r:
                // Open is an iterator: only call it when the item changes, not for every delta.
                if (_open != ItemKind.Reasoning)
                {
                    foreach (var e in Open(ItemKind.Reasoning))
                    {
                        yield return e;
                    }
                }

                _buffer.Append(r.Text);
                yield return new ReasoningSummaryTextDeltaEvent { ItemId = _openId!, OutputIndex = _output.Count, Delta = r.Text, SequenceNumber = sequencer.Take() };
                break;
            case ReasoningTextDelta rt:
                foreach (var e in Open(ItemKind.Reasoning))
                {
                    yield return e;
                }

                _reasoningText.Append(rt.Text);
                yield return sequencer.Next(new ReasoningTextDeltaEvent { ItemId = _openId!, OutputIndex = _output.Count, ContentIndex = 0, Delta = rt.Text });
                break;
            case ReasoningEncryptedContent enc:
                // A reasoning item may come with no summary at all: its encrypted content alone opens it.
                foreach (var e in Open(ItemKind.Reasoning))
                {
                    yield return e;
                }

                _encryptedReasoning = enc.EncryptedContent;
                break;
            case RefusalDelta rf:
                foreach (var e in Open(ItemKind.Refusal))
                {
                    yield return e;
                }

                _buffer.Append(rf.Text);
                yield return sequencer.Next(new RefusalDeltaEvent { ItemId = _openId!, OutputIndex = _output.Count, ContentIndex = 0, Delta = rf.Text });
                break;
            case TextDelta t:
                // Open is an iterator: only call it when the item changes, not for every delta.
                if (_open != ItemKind.Message)
                {
                    foreach (var e in Open(ItemKind.Message))
                    {
                        yield return e;
                    }
                }

                _buffer.Append(t.Text);
                yield return new OutputTextDeltaEvent { ItemId = _openId!, OutputIndex = _output.Count, ContentIndex = 0, Delta = t.Text, SequenceNumber = sequencer.Take() };
                break;
            case ToolCallStart s:
                foreach (var e in Close())
                {
                    yield return e;
                }

                _callId = s.CallId;
                _callName = s.Name;
                foreach (var e in Open(ItemKind.FunctionCall))
                {
                    yield return e;
                }

                break;
            case CustomToolCallStart c:
                foreach (var e in Close())
                {
                    yield return e;
                }

                _callId = c.CallId;
                _callName = c.Name;
                foreach (var e in Open(ItemKind.CustomToolCall))
                {
                    yield return e;
                }

                break;
            case CustomToolCallInputDelta d when _open == ItemKind.CustomToolCall:
                _buffer.Append(d.Delta);
                yield return sequencer.Next(new CustomToolCallInputDeltaEvent { ItemId = _openId!, OutputIndex = _output.Count, Delta = d.Delta });
                break;
            case ToolCallArgumentsDelta a when _open == ItemKind.FunctionCall:
                _buffer.Append(a.Delta);
                yield return new FunctionCallArgumentsDeltaEvent { ItemId = _openId!, OutputIndex = _output.Count, Delta = a.Delta, SequenceNumber = sequencer.Take() };
                break;
        }
    }

    /// <summary>
    /// Announces that the context is being compacted: closes the open item and yields
    /// <c>response.compaction.compacting</c> for the compaction item that <see cref="AddCompaction"/> will add.
    /// </summary>
    public IEnumerable<ResponseEvent> BeginCompaction(string itemId)
    {
        foreach (var e in Close())
        {
            yield return e;
        }

        yield return sequencer.Next(new CompactionCompactingEvent { ItemId = itemId, OutputIndex = _output.Count });
    }

    /// <summary>Adds a finished compaction item: <c>output_item.added</c> then <c>output_item.done</c>.</summary>
    public IEnumerable<ResponseEvent> AddCompaction(CompactionItem item)
    {
        foreach (var e in Close())
        {
            yield return e;
        }

        int index = _output.Count;
        _output.Add(item);
        yield return sequencer.Next(new OutputItemAddedEvent { OutputIndex = index, Item = item });
        yield return sequencer.Next(new OutputItemDoneEvent { OutputIndex = index, Item = item });
    }

    /// <summary>Closes the open item, if any, with <paramref name="status"/> (<c>incomplete</c> when the model was cut off).</summary>
    public IEnumerable<ResponseEvent> Close(string status = ResponseStatus.Completed)
    {
        if (_open == ItemKind.None)
        {
            yield break;
        }

        int index = _output.Count;
        string text = _buffer.ToString();
        _buffer.Clear();
        switch (_open)
        {
            case ItemKind.Message:
            {
                var part = ContentPart.OutputText(text);
                yield return sequencer.Next(new OutputTextDoneEvent { ItemId = _openId!, OutputIndex = index, ContentIndex = 0, Text = text });
                yield return sequencer.Next(new ContentPartDoneEvent { ItemId = _openId!, OutputIndex = index, ContentIndex = 0, Part = part });
                var item = new MessageItem { Id = _openId, Status = status, Role = "assistant", Content = MessageContent.FromParts([part]) };
                _output.Add(item);
                yield return sequencer.Next(new OutputItemDoneEvent { OutputIndex = index, Item = item });
                break;
            }

            case ItemKind.Reasoning:
            {
                var part = new ContentPart { Type = "summary_text", Text = text };
                yield return sequencer.Next(new ReasoningSummaryTextDoneEvent { ItemId = _openId!, OutputIndex = index, Text = text });
                yield return sequencer.Next(new ReasoningSummaryPartDoneEvent { ItemId = _openId!, OutputIndex = index, Part = part });
                string reasoningText = _reasoningText.ToString();
                _reasoningText.Clear();
                if (reasoningText.Length > 0)
                {
                    yield return sequencer.Next(new ReasoningTextDoneEvent { ItemId = _openId!, OutputIndex = index, ContentIndex = 0, Text = reasoningText });
                }

                // An upstream's own encrypted content is kept as it came; the simulated model seals its summary.
                var item = new ReasoningItem
                {
                    Id = _openId,
                    Summary = text.Length > 0 ? [part] : [],
                    Content = reasoningText.Length > 0 ? [new ContentPart { Type = "reasoning_text", Text = reasoningText }] : null,
                    EncryptedContent = _encryptedReasoning
                        ?? (includeEncryptedReasoning ? "sim:" + Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) : null),
                };
                _encryptedReasoning = null;
                _output.Add(item);
                yield return sequencer.Next(new OutputItemDoneEvent { OutputIndex = index, Item = item });
                break;
            }

            case ItemKind.FunctionCall:
            {
                string args = text.Length == 0 ? "{}" : text;
                yield return sequencer.Next(new FunctionCallArgumentsDoneEvent { ItemId = _openId!, OutputIndex = index, Name = _callName, Arguments = args });
                var item = new FunctionCallItem { Id = _openId, Status = status, CallId = _callId!, Name = _callName!, Arguments = args };
                _output.Add(item);
                yield return sequencer.Next(new OutputItemDoneEvent { OutputIndex = index, Item = item });
                break;
            }

            case ItemKind.Refusal:
            {
                var part = new ContentPart { Type = "refusal", Refusal = text };
                yield return sequencer.Next(new RefusalDoneEvent { ItemId = _openId!, OutputIndex = index, ContentIndex = 0, Refusal = text });
                yield return sequencer.Next(new ContentPartDoneEvent { ItemId = _openId!, OutputIndex = index, ContentIndex = 0, Part = part });
                var item = new MessageItem { Id = _openId, Status = status, Role = "assistant", Content = MessageContent.FromParts([part]) };
                _output.Add(item);
                yield return sequencer.Next(new OutputItemDoneEvent { OutputIndex = index, Item = item });
                break;
            }

            case ItemKind.CustomToolCall:
            {
                yield return sequencer.Next(new CustomToolCallInputDoneEvent { ItemId = _openId!, OutputIndex = index, Input = text });
                var item = new CustomToolCallItem { Id = _openId, Status = status, CallId = _callId!, Name = _callName!, Input = text };
                _output.Add(item);
                yield return sequencer.Next(new OutputItemDoneEvent { OutputIndex = index, Item = item });
                break;
            }
        }

        _open = ItemKind.None;
        _openId = null;
    }

    private IEnumerable<ResponseEvent> Open(ItemKind kind)
    {
        if (_open == kind)
        {
            yield break;
        }

        foreach (var e in Close())
        {
            yield return e;
        }

        _open = kind;
        int index = _output.Count;
        switch (kind)
        {
            case ItemKind.Message:
                _openId = Ids.NewItemId("msg");
                yield return sequencer.Next(new OutputItemAddedEvent
                {
                    OutputIndex = index,
                    Item = new MessageItem { Id = _openId, Status = ResponseStatus.InProgress, Role = "assistant", Content = MessageContent.FromParts([]) },
                });
                yield return sequencer.Next(new ContentPartAddedEvent { ItemId = _openId, OutputIndex = index, ContentIndex = 0, Part = ContentPart.OutputText("") });
                break;
            case ItemKind.Refusal:
                _openId = Ids.NewItemId("msg");
                yield return sequencer.Next(new OutputItemAddedEvent
                {
                    OutputIndex = index,
                    Item = new MessageItem { Id = _openId, Status = ResponseStatus.InProgress, Role = "assistant", Content = MessageContent.FromParts([]) },
                });
                yield return sequencer.Next(new ContentPartAddedEvent
                {
                    ItemId = _openId,
                    OutputIndex = index,
                    ContentIndex = 0,
                    Part = new ContentPart { Type = "refusal", Refusal = "" },
                });
                break;
            case ItemKind.Reasoning:
                _openId = Ids.NewItemId("rs");
                yield return sequencer.Next(new OutputItemAddedEvent { OutputIndex = index, Item = new ReasoningItem { Id = _openId } });
                yield return sequencer.Next(new ReasoningSummaryPartAddedEvent
                {
                    ItemId = _openId,
                    OutputIndex = index,
                    Part = new ContentPart { Type = "summary_text", Text = "" },
                });
                break;
            case ItemKind.FunctionCall:
                _openId = Ids.NewItemId("fc");
                yield return sequencer.Next(new OutputItemAddedEvent
                {
                    OutputIndex = index,
                    Item = new FunctionCallItem { Id = _openId, Status = ResponseStatus.InProgress, CallId = _callId!, Name = _callName!, Arguments = "" },
                });
                break;
            case ItemKind.CustomToolCall:
                _openId = Ids.NewItemId("ctc");
                yield return sequencer.Next(new OutputItemAddedEvent
                {
                    OutputIndex = index,
                    Item = new CustomToolCallItem { Id = _openId, Status = ResponseStatus.InProgress, CallId = _callId!, Name = _callName!, Input = "" },
                });
                break;
        }
    }
}
