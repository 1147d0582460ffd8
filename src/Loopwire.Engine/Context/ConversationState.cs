using Loopwire.Engine.Rendering;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;

namespace Loopwire.Engine.Context;

/// <summary>
/// A conversation as the engine holds it: every item so far, their rendered tokens and the call ids seen.
/// The WebSocket connection cache keeps one of these per connection (the latest response).
/// </summary>
/// <remarks>
/// Not thread-safe; owned by one turn at a time. A continuation takes the cached state over and appends to it
/// (O(new items)); a failed turn drops it, so nothing half-appended is ever reused.
/// </remarks>
public sealed class ConversationState
{
    private readonly List<ResponseItem> _items;
    private readonly HashSet<string> _callIds = new(StringComparer.Ordinal);
    private int _compactionMarkers;
    private long _bytes;
    private PackedConversation? _packed;

    /// <summary>Creates a state from items (none rendered yet).</summary>
    public ConversationState(List<ResponseItem>? items = null)
    {
        _items = items ?? [];
        foreach (var item in _items)
        {
            TrackCall(item);
        }
    }

    /// <summary>The latest response id this state ends with, or null.</summary>
    public string? ResponseId { get; set; }

    /// <summary>Whether every response of this state's chain is in the durable store.</summary>
    public bool Persisted { get; set; }

    /// <summary>All items, oldest first.</summary>
    public IReadOnlyList<ResponseItem> Items => _items;

    /// <summary>Rendered tokens; null until rendered.</summary>
    public RenderedContext? Rendered { get; set; }

    /// <summary>The model of the latest response.</summary>
    public string? Model { get; set; }

    /// <summary>The instructions the header was rendered with.</summary>
    public string? Instructions { get; set; }

    /// <summary>The tools the header was rendered with.</summary>
    public IReadOnlyList<ToolDefinition>? Tools { get; set; }

    /// <summary>The seed of this conversation's prefix-cache hash chain (model, instructions, tools).</summary>
    internal UInt128 PrefixSeed { get; set; }

    /// <summary>The chain's link after the last item; null when the chain is not tracked (cache off, or the header changed).</summary>
    internal UInt128? PrefixLink { get; set; }

    /// <summary>An estimate of the memory the state holds, for the per-connection cap (the packed size while packed).</summary>
    public long ApproximateBytes
    {
        get => _packed?.Bytes ?? _bytes;
        private set => _bytes = value;
    }

    /// <summary>Whether the state is packed (idle): its items and tokens must be unpacked (<see cref="Unpack"/>) before use.</summary>
    public bool IsPacked => _packed is not null;

    /// <summary>Whether any item is a <c>compaction</c> or <c>compaction_trigger</c> item (the model view may then hide items).</summary>
    internal bool HasCompactionItems => _compactionMarkers > 0;

    /// <summary>Whether a function or custom tool call with this id is in the conversation.</summary>
    public bool HasCall(string callId) => _callIds.Contains(callId);

    /// <summary>Appends an item (rendering is the engine's job).</summary>
    public void Add(ResponseItem item)
    {
        _items.Add(item);
        TrackCall(item);
    }

    /// <summary>Replaces an item by an equivalent one (a compaction item once opened); call ids do not change.</summary>
    internal void Replace(int index, ResponseItem item) => _items[index] = item;

    /// <summary>An independent copy (items, rendered tokens, settings) a fork on another lane can append to.</summary>
    /// <remarks>A packed state is unpacked first (the caller serialises this with the state's owner).</remarks>
    public ConversationState Fork()
    {
        if (IsPacked)
        {
            Unpack();
        }

        var copy = new ConversationState([.. _items])
        {
            ResponseId = ResponseId,
            Persisted = Persisted,
            Rendered = Rendered?.WithHeader(Rendered.Header),
            Model = Model,
            Instructions = Instructions,
            Tools = Tools,
        };
        copy.AddBytes(ApproximateBytes);
        return copy;
    }

    /// <summary>Adds to the memory estimate.</summary>
    public void AddBytes(long bytes) => _bytes += bytes;

    /// <summary>
    /// Packs an idle state: its items become compressed JSON and its item tokens compressed ints (see <see cref="PackedConversation"/>);
    /// the header, block hashes and settings stay. The caller guarantees no turn or fork uses the state meanwhile.
    /// </summary>
    /// <returns>Whether it was packed (false when already packed or empty).</returns>
    public bool TryPack()
    {
        if (_packed is not null || _items.Count == 0 || (Rendered is { } r && r.Items.Count > _items.Count))
        {
            return false;
        }

        // Packed before anything is taken: a failure leaves the state as it was.
        _packed = PackedConversation.Pack(_items, Rendered?.Items, _bytes);
        Rendered?.DropItems();
        _items.Clear();
        _items.Capacity = 0;
        _callIds.Clear();
        _callIds.TrimExcess();
        _compactionMarkers = 0;
        return true;
    }

    /// <summary>Restores a packed state exactly as it was packed (items, call ids, item tokens, memory estimate).</summary>
    public void Unpack()
    {
        if (_packed is not { } packed)
        {
            return;
        }

        var items = packed.UnpackItems();
        _items.Capacity = items.Count;
        foreach (var item in items)
        {
            Add(item);
        }

        if (Rendered is { } rendered)
        {
            rendered.RestoreItems(packed.UnpackTokens());
        }

        _packed = null;
        _bytes = packed.UnpackedBytes;
    }

    /// <summary>What a turn may change, taken before it starts so that a turn cut off by a dropped connection can be undone.</summary>
    internal Checkpoint Save() => new(this, _items.Count, Rendered, Rendered?.Items.Count ?? 0, Model, Instructions, Tools, ApproximateBytes,
        ResponseId, Persisted, PrefixLink);

    /// <summary>Undoes everything appended since <paramref name="checkpoint"/> was taken (of this state).</summary>
    internal void Restore(Checkpoint checkpoint)
    {
        if (!ReferenceEquals(checkpoint.State, this))
        {
            throw new ArgumentException("The checkpoint belongs to another state.", nameof(checkpoint));
        }

        if (_items.Count > checkpoint.ItemCount)
        {
            _items.RemoveRange(checkpoint.ItemCount, _items.Count - checkpoint.ItemCount);
            _callIds.Clear();
            _compactionMarkers = 0;
            foreach (var item in _items)
            {
                TrackCall(item);
            }
        }

        // A changed header renders into a new context and leaves the old one as it was.
        checkpoint.Rendered?.TruncateItems(checkpoint.RenderedItems);
        Rendered = checkpoint.Rendered;
        Model = checkpoint.Model;
        Instructions = checkpoint.Instructions;
        Tools = checkpoint.Tools;
        ApproximateBytes = checkpoint.Bytes;
        ResponseId = checkpoint.ResponseId;
        Persisted = checkpoint.Persisted;
        PrefixLink = checkpoint.PrefixLink;
    }

    /// <summary>A state as it was before a turn (see <see cref="Save"/>).</summary>
    internal sealed record Checkpoint(ConversationState State, int ItemCount, RenderedContext? Rendered, int RenderedItems, string? Model,
        string? Instructions, IReadOnlyList<ToolDefinition>? Tools, long Bytes, string? ResponseId, bool Persisted, UInt128? PrefixLink);

    private void TrackCall(ResponseItem item)
    {
        switch (item)
        {
            case FunctionCallItem f: _callIds.Add(f.CallId); break;
            case CustomToolCallItem c: _callIds.Add(c.CallId); break;
            case CompactionItem or CompactionTriggerItem: _compactionMarkers++; break;
        }
    }
}
