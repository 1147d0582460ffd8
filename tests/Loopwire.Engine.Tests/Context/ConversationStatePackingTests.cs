using System.Text.Json;
using Loopwire.Engine.Context;
using Loopwire.Engine.Rendering;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Serialization;

namespace Loopwire.Engine.Tests.Context;

/// <summary>Packing an idle conversation: every item type, its unknown fields and its tokens come back exactly.</summary>
public sealed class ConversationStatePackingTests
{
    /// <summary>One item of every type the reader knows, with unknown properties at the item and part level.</summary>
    private const string AllTypes = """
        [
          {"type":"message","role":"user","content":"Plain text, with a tab\t and ünïcödé ✓.","x_client":{"tag":[1,2,3]}},
          {"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[
            {"type":"output_text","text":"Done.","annotations":[],"logprobs":[]},
            {"type":"refusal","refusal":"No."},
            {"type":"output_text","text":"With extra.","annotations":[{"type":"url_citation","url":"https://example.com"}],"x_part":true}]},
          {"type":"message","role":"user","content":[
            {"type":"input_text","text":"Look:"},
            {"type":"input_image","image_url":"data:image/png;base64,AAAA","detail":"low"},
            {"type":"input_file","file_id":"file_1"}]},
          {"type":"function_call","id":"fc_1","status":"completed","call_id":"call_1","name":"read_file","arguments":"{\"path\":\"a.py\"}"},
          {"type":"function_call_output","call_id":"call_1","output":"line 1\nline 2\n"},
          {"type":"function_call","call_id":"call_2","name":"ls","arguments":"{}"},
          {"type":"function_call_output","call_id":"call_2","output":[{"type":"input_text","text":"a.py"}]},
          {"type":"custom_tool_call","call_id":"call_3","name":"apply_patch","input":"*** Begin Patch"},
          {"type":"custom_tool_call_output","call_id":"call_3","output":"ok"},
          {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Thinking."}],"encrypted_content":"gAAAA","content":[{"type":"reasoning_text","text":"Hm."}]},
          {"type":"reasoning","summary":[]},
          {"type":"item_reference","id":"msg_0"},
          {"type":"web_search_call","id":"ws_1","status":"completed","action":{"type":"search","query":"loopwire"}},
          {"type":"compaction","id":"cmp_1","encrypted_content":"sealed-bytes","created_by":"sim"},
          {"type":"compaction_trigger"}
        ]
        """;

    private static List<ResponseItem> Items()
    {
        using var doc = JsonDocument.Parse(AllTypes);
        return ItemReader.ReadItems(doc.RootElement);
    }

    private static string Json(ResponseItem item) => JsonSerializer.Serialize(item, ProtocolJsonContext.Default.ResponseItem);

    private static ConversationState Rendered(List<ResponseItem> items, int renderedCount)
    {
        var state = new ConversationState(items) { ResponseId = "resp_1", Model = "sim", Instructions = "Be brief." };
        state.Rendered = new RenderedContext([7, 8, 9]);
        for (int i = 0; i < renderedCount; i++)
        {
            // Tokens of every size, sign and a length crossing block boundaries.
            int[] tokens = [.. Enumerable.Range(0, 10 + (i * 37 % 90)).Select(n => (int)(n * 2_654_435_761L % 200_003) * (n % 5 == 0 ? -1 : 1))];
            state.Rendered.Append(tokens);
            state.AddBytes(96 + tokens.Length * 8L);
        }

        return state;
    }

    [Fact]
    public void PackUnpack_EveryItemType_RoundTripsExactly()
    {
        var items = Items();
        items[13] = (CompactionItem)items[13] with { Opened = "The compacted context, as opened." };
        string[] before = [.. items.Select(Json)];
        Type[] types = [.. items.Select(i => i.GetType())];
        var state = Rendered([.. items], items.Count);
        int[][] tokens = [.. state.Rendered!.Items.Select(t => t.ToArray())];
        ulong hash = state.Rendered.ContextHash();
        ulong[] blocks = [.. state.Rendered.BlockHashes];
        long bytes = state.ApproximateBytes;

        Assert.True(state.TryPack());
        Assert.True(state.IsPacked);
        Assert.Empty(state.Items);
        Assert.False(state.HasCall("call_1"));
        Assert.True(state.ApproximateBytes < bytes);
        Assert.False(state.TryPack());

        state.Unpack();
        Assert.False(state.IsPacked);
        Assert.Equal(before, state.Items.Select(Json));
        Assert.Equal(types, state.Items.Select(i => i.GetType()));
        Assert.Equal("The compacted context, as opened.", ((CompactionItem)state.Items[13]).Opened);
        Assert.Equal("web_search_call", ((OpaqueItem)state.Items[12]).ItemType);
        Assert.Equal(tokens, state.Rendered.Items);
        Assert.Equal(hash, state.Rendered.ContextHash());
        Assert.Equal(blocks, state.Rendered.BlockHashes);
        Assert.Equal(bytes, state.ApproximateBytes);
        Assert.True(state.HasCall("call_1") && state.HasCall("call_2") && state.HasCall("call_3"));
        Assert.True(state.HasCompactionItems);
        Assert.Equal("resp_1", state.ResponseId);
        Assert.Equal("Be brief.", state.Instructions);
    }

    [Fact]
    public void Unpacked_AppendsLikeNeverPacked()
    {
        var packed = Rendered(Items(), Items().Count);
        var plain = Rendered(Items(), Items().Count);
        Assert.True(packed.TryPack());
        packed.Unpack();

        foreach (var s in new[] { packed, plain })
        {
            s.Add(new MessageItem { Role = "user", Content = MessageContent.FromText("next") });
            s.Rendered!.Append([1, 2, 3, 4, 5]);
        }

        Assert.Equal(plain.Rendered!.ContextHash(), packed.Rendered!.ContextHash());
        Assert.Equal(plain.Items.Select(Json), packed.Items.Select(Json));
        Assert.Equal(plain.ApproximateBytes, packed.ApproximateBytes);
    }

    [Fact]
    public void Pack_OutputItemsNotRenderedYet_KeepsTheRenderedCount()
    {
        var items = Items();
        var state = Rendered(items, items.Count - 2);
        Assert.True(state.TryPack());
        state.Unpack();
        Assert.Equal(items.Count, state.Items.Count);
        Assert.Equal(items.Count - 2, state.Rendered!.Items.Count);
    }

    [Fact]
    public void Pack_EmptyOrUnrendered_StillRoundTrips()
    {
        Assert.False(new ConversationState().TryPack());

        var unrendered = new ConversationState(Items()) { ResponseId = "resp_1" };
        Assert.True(unrendered.TryPack());
        unrendered.Unpack();
        Assert.Null(unrendered.Rendered);
        Assert.Equal(Items().Select(Json), unrendered.Items.Select(Json));
    }

    [Fact]
    public void Pack_ItemTheWireCannotWrite_ThrowsAndLeavesTheStateAsItWas()
    {
        List<ResponseItem> items = [.. Items(), new UnwritableItem()];
        var state = Rendered(items, items.Count);
        ulong hash = state.Rendered!.ContextHash();
        long bytes = state.ApproximateBytes;

        Assert.Throws<NotSupportedException>(() => state.TryPack());
        Assert.False(state.IsPacked);
        Assert.Equal(items.Count, state.Items.Count);
        Assert.Equal(items.Count, state.Rendered.Items.Count);
        Assert.Equal(hash, state.Rendered.ContextHash());
        Assert.Equal(bytes, state.ApproximateBytes);
    }

    private sealed record UnwritableItem : ResponseItem
    {
        public override string Type => "unwritable";
    }

    [Fact]
    public void Fork_OfPackedState_UnpacksAndCopies()
    {
        var state = Rendered(Items(), Items().Count);
        string[] before = [.. state.Items.Select(Json)];
        Assert.True(state.TryPack());

        var fork = state.Fork();
        Assert.False(state.IsPacked);
        Assert.Equal(before, fork.Items.Select(Json));
        Assert.Equal(state.Rendered!.ContextHash(), fork.Rendered!.ContextHash());
        Assert.Equal(state.ApproximateBytes, fork.ApproximateBytes);
    }

    [Fact]
    public void Restore_AfterUnpack_UndoesTheTurn()
    {
        var state = Rendered(Items(), Items().Count);
        Assert.True(state.TryPack());
        state.Unpack();
        var checkpoint = state.Save();
        string hash = state.Rendered!.ContextHash().ToString(System.Globalization.CultureInfo.InvariantCulture);

        state.Add(new MessageItem { Role = "user", Content = MessageContent.FromText("undone") });
        state.Rendered.Append([42]);
        state.Restore(checkpoint);

        Assert.Equal(Items().Count, state.Items.Count);
        Assert.Equal(hash, state.Rendered.ContextHash().ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
