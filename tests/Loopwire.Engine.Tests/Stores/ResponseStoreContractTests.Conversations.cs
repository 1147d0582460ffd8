using Loopwire.Engine.Stores;
using Loopwire.Protocol.Items;

namespace Loopwire.Engine.Tests.Stores;

/// <summary>The <see cref="IConversationStore"/> part of the conformance suite, run against every store.</summary>
public abstract partial class ResponseStoreContractTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000);

    private IConversationStore Conversations => Assert.IsAssignableFrom<IConversationStore>(Store);

    [StoreFact]
    public async Task CreateConversationAsync_ItemsAndMetadata_ReadBackInOrder()
    {
        var items = EveryItemType();
        await Conversations.CreateConversationAsync(Conv("conv_1", metadata: new() { ["topic"] = "demo" }), items);

        var loaded = await Conversations.GetConversationAsync("conv_1", tenant: null);
        var page = await Conversations.ListConversationItemsAsync("conv_1", null, new ConversationItemQuery(null, 100, Ascending: true));

        Assert.NotNull(loaded);
        Assert.Equal(1_750_000_000, loaded.CreatedAt);
        Assert.Equal("demo", loaded.Metadata["topic"]);
        Assert.NotNull(page);
        Assert.Equal(items.Select(i => i.Id), page.Items.Select(i => i.Id));
        Assert.Equal(items.Select(i => i.Type), page.Items.Select(i => i.Type));
        Assert.False(page.HasMore);
    }

    [StoreTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ListConversationItemsAsync_PagesWithAfter_VisitsEveryItemOnce(bool ascending)
    {
        await Conversations.CreateConversationAsync(Conv("conv_1"), Messages(0, 3));
        await Conversations.AppendConversationItemsAsync("conv_1", null, Messages(3, 4));

        var seen = new List<string>();
        string? after = null;
        int pages = 0;
        while (true)
        {
            var page = await Conversations.ListConversationItemsAsync("conv_1", null, new ConversationItemQuery(after, 3, ascending));
            Assert.NotNull(page);
            seen.AddRange(page.Items.Select(i => i.Id!));
            pages++;
            if (!page.HasMore)
            {
                break;
            }

            after = page.Items[^1].Id;
        }

        var expected = Enumerable.Range(0, 7).Select(i => $"msg_{i}").ToList();
        if (!ascending)
        {
            expected.Reverse();
        }

        Assert.Equal(expected, seen);
        Assert.Equal(3, pages);
    }

    [StoreFact]
    public async Task ListConversationItemsAsync_UnknownAfter_SaysSo()
    {
        await Conversations.CreateConversationAsync(Conv("conv_1"), Messages(0, 2));

        var page = await Conversations.ListConversationItemsAsync("conv_1", null, new ConversationItemQuery("msg_nope", 10, true));

        Assert.NotNull(page);
        Assert.True(page.AfterNotFound);
        Assert.Empty(page.Items);
    }

    [StoreFact]
    public async Task ConversationCalls_OtherTenant_SeeNothing()
    {
        await Conversations.CreateConversationAsync(Conv("conv_1", tenant: "acme"), Messages(0, 1));

        Assert.Null(await Conversations.GetConversationAsync("conv_1", "globex"));
        Assert.Null(await Conversations.ListConversationItemsAsync("conv_1", "globex", new ConversationItemQuery(null, 10, true)));
        Assert.Null(await Conversations.GetConversationItemAsync("conv_1", "msg_0", "globex"));
        Assert.False(await Conversations.AppendConversationItemsAsync("conv_1", "globex", Messages(1, 1)));
        Assert.False(await Conversations.DeleteConversationItemAsync("conv_1", "msg_0", "globex"));
        Assert.Null(await Conversations.UpdateConversationAsync("conv_1", "globex", new Dictionary<string, string>()));
        Assert.Equal(ConversationLockResult.NotFound,
            await Conversations.TryLockConversationAsync("conv_1", "globex", "me", Now, TimeSpan.FromMinutes(1)));
        Assert.False(await Conversations.DeleteConversationAsync("conv_1", "globex"));
        Assert.NotNull(await Conversations.GetConversationItemAsync("conv_1", "msg_0", "acme"));
    }

    [StoreFact]
    public async Task UpdateConversationAsync_ReplacesMetadata()
    {
        await Conversations.CreateConversationAsync(Conv("conv_1", metadata: new() { ["a"] = "1" }), []);

        var updated = await Conversations.UpdateConversationAsync("conv_1", null, new Dictionary<string, string> { ["b"] = "2" });

        Assert.NotNull(updated);
        Assert.Equal(["b"], updated.Metadata.Keys);
        Assert.Equal("2", (await Conversations.GetConversationAsync("conv_1", null))!.Metadata["b"]);
    }

    [StoreFact]
    public async Task DeleteConversationItemAsync_RemovesOnlyThatItem()
    {
        await Conversations.CreateConversationAsync(Conv("conv_1"), Messages(0, 3));

        Assert.True(await Conversations.DeleteConversationItemAsync("conv_1", "msg_1", null));
        Assert.False(await Conversations.DeleteConversationItemAsync("conv_1", "msg_1", null));

        var page = await Conversations.ListConversationItemsAsync("conv_1", null, new ConversationItemQuery(null, 10, true));
        Assert.Equal(["msg_0", "msg_2"], page!.Items.Select(i => i.Id));
        Assert.Null(await Conversations.GetConversationItemAsync("conv_1", "msg_1", null));
        Assert.IsType<MessageItem>(await Conversations.GetConversationItemAsync("conv_1", "msg_2", null));
    }

    [StoreFact]
    public async Task DeleteConversationAsync_Gone_ForEveryCall()
    {
        await Conversations.CreateConversationAsync(Conv("conv_1"), Messages(0, 1));

        Assert.True(await Conversations.DeleteConversationAsync("conv_1", null));

        Assert.False(await Conversations.DeleteConversationAsync("conv_1", null));
        Assert.Null(await Conversations.GetConversationAsync("conv_1", null));
        Assert.Null(await Conversations.ListConversationItemsAsync("conv_1", null, new ConversationItemQuery(null, 10, true)));
        Assert.False(await Conversations.AppendConversationItemsAsync("conv_1", null, Messages(1, 1)));
    }

    [StoreFact]
    public async Task TryLockConversationAsync_HeldByAnother_BusyUntilUnlockedOrExpired()
    {
        await Conversations.CreateConversationAsync(Conv("conv_1"), []);
        var lease = TimeSpan.FromMinutes(1);

        Assert.Equal(ConversationLockResult.Acquired, await Conversations.TryLockConversationAsync("conv_1", null, "a", Now, lease));
        Assert.Equal(ConversationLockResult.Busy, await Conversations.TryLockConversationAsync("conv_1", null, "b", Now, lease));
        await Conversations.UnlockConversationAsync("conv_1", "b");
        Assert.Equal(ConversationLockResult.Busy, await Conversations.TryLockConversationAsync("conv_1", null, "b", Now + TimeSpan.FromSeconds(59), lease));

        await Conversations.UnlockConversationAsync("conv_1", "a");
        Assert.Equal(ConversationLockResult.Acquired, await Conversations.TryLockConversationAsync("conv_1", null, "b", Now, lease));
        Assert.Equal(ConversationLockResult.Acquired, await Conversations.TryLockConversationAsync("conv_1", null, "c", Now + lease, lease));
        Assert.Equal(ConversationLockResult.NotFound, await Conversations.TryLockConversationAsync("conv_2", null, "c", Now, lease));
    }

    private static StoredConversation Conv(string id, string? tenant = null, Dictionary<string, string>? metadata = null) =>
        new(id, tenant, 1_750_000_000, metadata ?? []);

    private static List<ResponseItem> Messages(int from, int count) =>
    [
        .. Enumerable.Range(from, count).Select(i =>
            (ResponseItem)new MessageItem { Id = $"msg_{i}", Role = "user", Content = MessageContent.FromText($"message {i}") }),
    ];
}
