using Loopwire.Client.Http;
using Loopwire.Client.Tests.Support;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Streaming;
using static Loopwire.Client.Tests.Support.LoopwireServer;

namespace Loopwire.Client.Tests.Http;

public sealed class ResponsesHttpClientTests(LoopwireServer server) : IClassFixture<LoopwireServer>
{
    private ResponsesHttpClient Client => new(server.CreateClient());

    [Fact]
    public async Task CreateRetrieveListDelete_StoredResponse_RoundTrips()
    {
        var client = Client;
        var created = await client.CreateAsync(Options() with { Input = [User("Hello there.")], Store = true });

        var retrieved = await client.RetrieveAsync(created.Id);
        var items = await client.ListInputItemsAsync(created.Id, limit: 10, order: "asc");
        var deleted = await client.DeleteAsync(created.Id);

        Assert.Equal("completed", created.Status);
        Assert.Equal(created.Id, retrieved.Id);
        var item = Assert.IsType<MessageItem>(Assert.Single(items.Data));
        Assert.Equal("Hello there.", item.Content.JoinedText());
        Assert.True(deleted.Deleted);
        var ex = await Assert.ThrowsAsync<ResponsesApiException>(() => client.RetrieveAsync(created.Id));
        Assert.Equal(404, ex.Status);
    }

    [Fact]
    public async Task StreamAsync_TextAnswer_YieldsOrderedEventsEndingWithCompleted()
    {
        var events = new List<ResponseEvent>();
        await foreach (var e in Client.StreamAsync(Options() with { Input = [User("Hello there.")], Store = false }))
        {
            events.Add(e);
        }

        Assert.IsType<ResponseCreatedEvent>(events[0]);
        var completed = Assert.IsType<ResponseCompletedEvent>(events[^1]);
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.SequenceNumber));
        var text = string.Concat(events.OfType<OutputTextDeltaEvent>().Select(d => d.Delta));
        Assert.Equal(text, Assert.IsType<MessageItem>(Assert.Single(completed.Response.Output)).Content.JoinedText());
    }

    [Fact]
    public async Task RetrieveAsync_UnknownId_ThrowsNotFoundWithFields()
    {
        var ex = await Assert.ThrowsAsync<ResponsesApiException>(() => Client.RetrieveAsync("resp_missing"));

        Assert.Equal(404, ex.Status);
        Assert.Equal("invalid_request_error", ex.Type);
        Assert.Null(ex.Code);
        Assert.Contains("resp_missing", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(ex.RequestId);
    }

    [Fact]
    public async Task CreateAsync_UnknownPreviousResponse_ThrowsPreviousResponseNotFound()
    {
        var ex = await Assert.ThrowsAsync<ResponsesApiException>(() =>
            Client.CreateAsync(Options() with { Input = [User("Hi.")], PreviousResponseId = "resp_missing" }));

        Assert.Equal(400, ex.Status);
        Assert.Equal("invalid_request_error", ex.Type);
        Assert.Equal("previous_response_not_found", ex.Code);
        Assert.Equal("previous_response_id", ex.Param);
    }

    [Fact]
    public async Task StreamAsync_OutputWithoutCall_ThrowsWithParam()
    {
        var request = Options() with { Input = [ToolOutput("call_nope", "x")] };

        var ex = await Assert.ThrowsAsync<ResponsesApiException>(async () =>
        {
            await foreach (var _ in Client.StreamAsync(request))
            {
            }
        });

        Assert.Equal(400, ex.Status);
        Assert.Equal("input[0].call_id", ex.Param);
    }

    [Fact]
    public async Task ListInputItemsAsync_InvalidLimit_ThrowsWithParam()
    {
        var created = await Client.CreateAsync(Options() with { Input = [User("Hi.")], Store = true });

        var ex = await Assert.ThrowsAsync<ResponsesApiException>(() => Client.ListInputItemsAsync(created.Id, limit: 500));

        Assert.Equal(400, ex.Status);
        Assert.Equal("limit", ex.Param);
    }

    [Fact]
    public async Task CreateAsync_WithApiKeyRequiredAndMissing_ThrowsUnauthorized()
    {
        await using var secured = LoopwireServer.With(new() { ["Loopwire:ApiKeys:0"] = "sk-test" });
        var anonymous = new ResponsesHttpClient(secured.CreateClient());
        var authorized = new ResponsesHttpClient(secured.CreateClient(), new ResponsesClientOptions { ApiKey = "sk-test" });
        var request = Options() with { Input = [User("Hi.")] };

        var ex = await Assert.ThrowsAsync<ResponsesApiException>(() => anonymous.CreateAsync(request));
        var ok = await authorized.CreateAsync(request);

        Assert.Equal(401, ex.Status);
        Assert.Equal("completed", ok.Status);
    }

    [Fact]
    public void Constructor_NullHttpClient_Throws() =>
        Assert.Throws<ArgumentNullException>(() => new ResponsesHttpClient(null!));

    [Fact]
    public async Task CreateAsync_Request_IsNotMutated()
    {
        var request = new CreateResponseRequest { Model = Model, Input = [User("Hi.")] };

        await Client.CreateAsync(request);

        Assert.Null(request.Stream);
    }
}
