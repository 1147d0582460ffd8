using System.Text;
using System.Text.Json;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Serialization;

namespace Loopwire.Engine.Tests.Stores;

/// <summary>
/// The store conformance suite: the <see cref="IResponseStore"/> and <see cref="IResponseRetention"/> contract, run
/// against every store (memory, SQLite, PostgreSQL) through a derived class.
/// </summary>
public abstract partial class ResponseStoreContractTests : IDisposable
{
    protected ResponseStoreContractTests(IResponseStore store) => Store = store;

    protected IResponseStore Store { get; }

    public virtual void Dispose()
    {
        (Store as IDisposable)?.Dispose();
        GC.SuppressFinalize(this);
    }

    [StoreFact]
    public async Task SaveAsync_EveryItemType_RoundTripsUnchanged()
    {
        var saved = Stored("resp_1", previous: "resp_0", input: EveryItemType(), output:
        [
            new ReasoningItem
            {
                Id = "rs_1",
                Summary = [new ContentPart { Type = "summary_text", Text = "thinking" }],
                EncryptedContent = "gAAAAB-opaque==",
            },
            new OpaqueItem("web_search_call")
            {
                Id = "ws_1",
                Status = "completed",
                Extra = new() { ["action"] = Json("""{"type":"search","query":"loopwire"}""") },
            },
            new MessageItem
            {
                Id = "msg_2",
                Status = "completed",
                Role = "assistant",
                Content = MessageContent.FromParts([ContentPart.OutputText("done")]),
            },
        ]);

        await Store.SaveAsync(saved);
        var loaded = await Store.GetAsync("resp_1", tenant: null);

        Assert.NotNull(loaded);
        Assert.Equal("resp_1", loaded.Id);
        Assert.Equal("resp_0", loaded.PreviousResponseId);
        Assert.Null(loaded.Tenant);
        Assert.Equal(ToJson(saved.Input), ToJson(loaded.Input));
        Assert.Equal(ToJson(saved.Response), ToJson(loaded.Response));
        var reasoning = Assert.IsType<ReasoningItem>(loaded.Response.Output[0]);
        Assert.Equal("gAAAAB-opaque==", reasoning.EncryptedContent);
        var search = Assert.IsType<OpaqueItem>(loaded.Response.Output[1]);
        Assert.Equal("web_search_call", search.Type);
        Assert.Equal("loopwire", search.Extra!["action"].GetProperty("query").GetString());
        Assert.Equal(
            ["message", "message", "function_call", "function_call_output", "reasoning", "web_search_call"],
            loaded.Input.Select(x => x.Type));
    }

    [StoreFact]
    public async Task GetAsync_UnknownId_ReturnsNull()
    {
        await Store.SaveAsync(Stored("resp_1"));

        Assert.Null(await Store.GetAsync("resp_2", tenant: null));
    }

    [StoreTheory]
    [InlineData("acme", "globex")]
    [InlineData("acme", null)]
    [InlineData(null, "acme")]
    public async Task GetAsync_OtherTenant_ReturnsNull(string? owner, string? caller)
    {
        await Store.SaveAsync(Stored("resp_1", tenant: owner));

        Assert.Null(await Store.GetAsync("resp_1", caller));
        Assert.Null(await Store.GetItemAsync("msg_resp_1_in", caller));
        Assert.NotNull(await Store.GetAsync("resp_1", owner));
    }

    [StoreFact]
    public async Task GetAsync_SameTenant_ReturnsTenant()
    {
        await Store.SaveAsync(Stored("resp_1", tenant: "acme"));

        var loaded = await Store.GetAsync("resp_1", "acme");

        Assert.Equal("acme", loaded?.Tenant);
    }

    [StoreFact]
    public async Task DeleteAsync_Existing_ThenGetReturnsNull()
    {
        await Store.SaveAsync(Stored("resp_1", tenant: "acme"));

        Assert.True(await Store.DeleteAsync("resp_1", "acme"));
        Assert.Null(await Store.GetAsync("resp_1", "acme"));
    }

    [StoreFact]
    public async Task DeleteAsync_Twice_SecondReturnsFalse()
    {
        await Store.SaveAsync(Stored("resp_1"));

        Assert.True(await Store.DeleteAsync("resp_1", tenant: null));
        Assert.False(await Store.DeleteAsync("resp_1", tenant: null));
    }

    [StoreFact]
    public async Task DeleteAsync_UnknownId_ReturnsFalse()
    {
        Assert.False(await Store.DeleteAsync("resp_missing", tenant: null));
    }

    [StoreFact]
    public async Task DeleteAsync_OtherTenant_ReturnsFalseAndKeepsResponse()
    {
        await Store.SaveAsync(Stored("resp_1", tenant: "acme"));

        Assert.False(await Store.DeleteAsync("resp_1", "globex"));
        Assert.False(await Store.DeleteAsync("resp_1", tenant: null));
        Assert.NotNull(await Store.GetAsync("resp_1", "acme"));
        Assert.NotNull(await Store.GetItemAsync("msg_resp_1_in", "acme"));
    }

    [StoreFact]
    public async Task GetItemAsync_InputAndOutputItems_ReturnsEach()
    {
        await Store.SaveAsync(Stored("resp_1", tenant: "acme", input: EveryItemType()));

        var call = Assert.IsType<FunctionCallItem>(await Store.GetItemAsync("fc_1", "acme"));
        var reasoning = Assert.IsType<ReasoningItem>(await Store.GetItemAsync("rs_0", "acme"));
        var output = Assert.IsType<MessageItem>(await Store.GetItemAsync("msg_resp_1_out", "acme"));

        Assert.Equal("call_1", call.CallId);
        Assert.Equal("{\"path\":\"a.txt\"}", call.Arguments);
        Assert.Equal("enc-0", reasoning.EncryptedContent);
        Assert.Equal("assistant", output.Role);
    }

    [StoreFact]
    public async Task GetItemAsync_UnknownId_ReturnsNull()
    {
        await Store.SaveAsync(Stored("resp_1"));

        Assert.Null(await Store.GetItemAsync("fc_missing", tenant: null));
    }

    [StoreFact]
    public async Task GetItemAsync_AfterDelete_ReturnsNull()
    {
        await Store.SaveAsync(Stored("resp_1", input: EveryItemType()));

        await Store.DeleteAsync("resp_1", tenant: null);

        Assert.Null(await Store.GetItemAsync("fc_1", tenant: null));
        Assert.Null(await Store.GetItemAsync("msg_resp_1_out", tenant: null));
    }

    [StoreFact]
    public async Task GetItemAsync_ItemResentInLaterResponse_SurvivesDeletingFirst()
    {
        await Store.SaveAsync(Stored("resp_1", input: EveryItemType()));
        await Store.SaveAsync(Stored("resp_2", input: EveryItemType()));

        await Store.DeleteAsync("resp_1", tenant: null);

        Assert.IsType<FunctionCallItem>(await Store.GetItemAsync("fc_1", tenant: null));
    }

    [StoreFact]
    public async Task SaveAsync_SameIdTwice_ReplacesResponseAndItsItems()
    {
        await Store.SaveAsync(Stored("resp_1", input: EveryItemType()));

        await Store.SaveAsync(Stored("resp_1", output: [Assistant("msg_new", "second")]));

        var loaded = await Store.GetAsync("resp_1", tenant: null);
        Assert.Equal("msg_new", Assert.Single(loaded!.Response.Output).Id);
        Assert.Null(await Store.GetItemAsync("fc_1", tenant: null));
        Assert.Null(await Store.GetItemAsync("msg_resp_1_out", tenant: null));
        Assert.NotNull(await Store.GetItemAsync("msg_new", tenant: null));
    }

    [StoreFact]
    public async Task LoadItemsAsync_ThreeDeepChain_ReturnsItemsOldestFirst()
    {
        await Store.SaveAsync(Stored("resp_1", tenant: "acme"));
        await Store.SaveAsync(Stored("resp_2", tenant: "acme", previous: "resp_1"));
        await Store.SaveAsync(Stored("resp_3", tenant: "acme", previous: "resp_2"));

        var items = await ConversationLoader.LoadItemsAsync(Store, "resp_3", "acme");

        Assert.NotNull(items);
        Assert.Equal(
            ["msg_resp_1_in", "msg_resp_1_out", "msg_resp_2_in", "msg_resp_2_out", "msg_resp_3_in", "msg_resp_3_out"],
            items.Select(x => x.Id));
    }

    [StoreFact]
    public async Task LoadItemsAsync_MiddleParentDeleted_ReturnsNull()
    {
        await Store.SaveAsync(Stored("resp_1"));
        await Store.SaveAsync(Stored("resp_2", previous: "resp_1"));
        await Store.SaveAsync(Stored("resp_3", previous: "resp_2"));

        await Store.DeleteAsync("resp_2", tenant: null);

        Assert.Null(await ConversationLoader.LoadItemsAsync(Store, "resp_3", tenant: null));
    }

    [StoreFact]
    public async Task LoadItemsAsync_OtherTenant_ReturnsNull()
    {
        await Store.SaveAsync(Stored("resp_1", tenant: "acme"));
        await Store.SaveAsync(Stored("resp_2", tenant: "acme", previous: "resp_1"));

        Assert.Null(await ConversationLoader.LoadItemsAsync(Store, "resp_2", "globex"));
    }

    [StoreFact]
    public async Task LoadItemsAsync_AncestorOfOtherTenant_ReturnsNull()
    {
        await Store.SaveAsync(Stored("resp_1", tenant: "acme"));
        await Store.SaveAsync(Stored("resp_2", tenant: "globex", previous: "resp_1"));

        Assert.Null(await ConversationLoader.LoadItemsAsync(Store, "resp_2", "globex"));
        Assert.Null((await ConversationLoader.ResolveAsync(Store, "resp_2", "globex")).State);
    }

    [StoreFact]
    public async Task ResolveAsync_ChainOfTwo_StateHoldsBothTurns()
    {
        await Store.SaveAsync(Stored("resp_1", tenant: "acme"));
        await Store.SaveAsync(Stored("resp_2", tenant: "acme", previous: "resp_1"));

        var resolution = await ConversationLoader.ResolveAsync(Store, "resp_2", "acme");

        Assert.Null(resolution.Error);
        Assert.Equal(["msg_resp_1_in", "msg_resp_1_out", "msg_resp_2_in", "msg_resp_2_out"], resolution.State!.Items.Select(x => x.Id));
    }

    [StoreFact]
    public async Task SaveAsync_ConcurrentFromManyTasks_AllReadable()
    {
        const int Tasks = 8;
        const int SavesPerTask = 50;

        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            for (int i = 0; i < SavesPerTask; i++)
            {
                string id = $"resp_{t}_{i}";
                await Store.SaveAsync(Stored(id, tenant: $"tenant_{t}", previous: i == 0 ? null : $"resp_{t}_{i - 1}"));

                // Reads interleave with other tasks' writes.
                Assert.NotNull(await Store.GetAsync(id, $"tenant_{t}"));
            }
        })));

        for (int t = 0; t < Tasks; t++)
        {
            for (int i = 0; i < SavesPerTask; i++)
            {
                var loaded = await Store.GetAsync($"resp_{t}_{i}", $"tenant_{t}");
                Assert.Equal($"msg_resp_{t}_{i}_out", Assert.Single(loaded!.Response.Output).Id);
            }

            var chain = await ConversationLoader.LoadItemsAsync(Store, $"resp_{t}_{SavesPerTask - 1}", $"tenant_{t}");
            Assert.Equal(SavesPerTask * 2, chain?.Count);
        }
    }

    [StoreFact]
    public async Task SaveAsync_CanceledToken_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.SaveAsync(Stored("resp_1"), cts.Token));
        Assert.Null(await Store.GetAsync("resp_1", tenant: null));
    }

    [StoreFact]
    public async Task DeleteCreatedBeforeAsync_OlderResponses_DeletesThemAndTheirItems()
    {
        await Store.SaveAsync(Stored("resp_old", tenant: "acme", input: EveryItemType(), createdAt: 1_000));
        await Store.SaveAsync(Stored("resp_older", tenant: null, createdAt: 999));
        await Store.SaveAsync(Stored("resp_new", tenant: "acme", previous: "resp_old", createdAt: 2_000));
        var retention = Assert.IsAssignableFrom<IResponseRetention>(Store);

        int? deleted = await retention.DeleteCreatedBeforeAsync(DateTimeOffset.FromUnixTimeSeconds(2_000));

        Assert.Equal(2, deleted);
        Assert.Null(await Store.GetAsync("resp_old", "acme"));
        Assert.Null(await Store.GetAsync("resp_older", tenant: null));
        Assert.Null(await Store.GetItemAsync("fc_1", "acme"));
        Assert.NotNull(await Store.GetAsync("resp_new", "acme"));
        Assert.NotNull(await Store.GetItemAsync("msg_resp_new_out", "acme"));
    }

    [StoreFact]
    public async Task DeleteCreatedBeforeAsync_NothingOlder_DeletesNothing()
    {
        await Store.SaveAsync(Stored("resp_1", createdAt: 2_000));

        int? deleted = await ((IResponseRetention)Store).DeleteCreatedBeforeAsync(DateTimeOffset.FromUnixTimeSeconds(1_500));

        Assert.Equal(0, deleted);
        Assert.NotNull(await Store.GetAsync("resp_1", tenant: null));
    }

    /// <summary>A response whose input and output each hold one message with a predictable id.</summary>
    protected static StoredResponse Stored(
        string id,
        string? tenant = null,
        string? previous = null,
        IReadOnlyList<ResponseItem>? input = null,
        IReadOnlyList<ResponseItem>? output = null,
        long createdAt = 1_750_000_000)
    {
        input ??= [new MessageItem { Id = $"msg_{id}_in", Role = "user", Content = MessageContent.FromText($"hi from {id}") }];
        output ??= [Assistant($"msg_{id}_out", $"answer of {id}")];
        var response = new ResponseObject
        {
            Id = id,
            CreatedAt = createdAt,
            CompletedAt = createdAt + 2,
            Status = "completed",
            Model = "sim-gpt5",
            Output = output,
            PreviousResponseId = previous,
            Usage = new Usage { InputTokens = 12, OutputTokens = 3, TotalTokens = 15 },
            Metadata = new() { ["k"] = "v" },
        };
        return new StoredResponse(id, previous, tenant, input, response);
    }

    protected static List<ResponseItem> EveryItemType() =>
    [
        new MessageItem { Id = "msg_0", Role = "developer", Content = MessageContent.FromText("be brief") },
        new MessageItem
        {
            Id = "msg_1",
            Role = "user",
            Content = MessageContent.FromParts(
            [
                ContentPart.InputText("look at this"),
                new ContentPart { Type = "input_image", ImageUrl = "https://example.com/a.png", Detail = "low" },
            ]),
        },
        new FunctionCallItem { Id = "fc_1", CallId = "call_1", Name = "read_file", Arguments = "{\"path\":\"a.txt\"}", Status = "completed" },
        new FunctionCallOutputItem { Id = "fco_1", CallId = "call_1", Output = MessageContent.FromText("contents") },
        new ReasoningItem { Id = "rs_0", EncryptedContent = "enc-0" },
        new OpaqueItem("web_search_call")
        {
            Id = "ws_0",
            Status = "completed",
            Extra = new() { ["action"] = Json("""{"type":"search","query":"x","sources":[1,2]}""") },
        },
    ];

    private static MessageItem Assistant(string id, string text) => new()
    {
        Id = id,
        Status = "completed",
        Role = "assistant",
        Content = MessageContent.FromParts([ContentPart.OutputText(text)]),
    };

    private static JsonElement Json(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    // Strings only to make a failing assertion readable; the stores themselves never go through strings.
    private static string ToJson(IReadOnlyList<ResponseItem> items) =>
        Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes([.. items], ProtocolJsonContext.Default.ListResponseItem));

    private static string ToJson(ResponseObject response) =>
        Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(response, ProtocolJsonContext.Default.ResponseObject));
}
