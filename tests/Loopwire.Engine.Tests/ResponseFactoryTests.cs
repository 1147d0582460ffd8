using Loopwire.Engine.Context;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;
using Microsoft.Extensions.Time.Testing;

namespace Loopwire.Engine.Tests;

public sealed class ResponseFactoryTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private readonly ResponseFactory _factory = new(new FakeTimeProvider(Now));

    private static PreparedResponse Prepared(bool background = false) => new("resp_1",
        new CreateResponseRequest { Model = "sim-instant", Background = background, Input = [EngineTestKit.User("hi")] },
        new ConversationState(), new StoreContextSource(new MemoryResponseStore(), null), [], 3, 100, new TurnTimings { Transport = "test" });

    [Theory]
    [InlineData(ResponseStatus.Queued)]
    [InlineData(ResponseStatus.InProgress)]
    public void Pending_HasNoOutputAndNoCompletedAt(string status)
    {
        var r = _factory.Pending(Prepared(background: true), status);

        Assert.Equal((status, "resp_1", 100L, true), (r.Status, r.Id, r.CreatedAt, r.Background));
        Assert.Null(r.CompletedAt);
        Assert.Empty(r.Output);
        Assert.Null(r.Usage);
    }

    [Fact]
    public void Finished_WithIncompleteReason_IsIncomplete()
    {
        var r = _factory.Finished(Prepared(), [], new Usage(), "max_output_tokens");

        Assert.Equal(ResponseStatus.Incomplete, r.Status);
        Assert.Equal("max_output_tokens", r.IncompleteDetails!.Reason);
        Assert.Equal(Now.ToUnixTimeSeconds(), r.CompletedAt);
    }

    [Fact]
    public void Finished_WithoutIncompleteReason_IsCompleted()
    {
        var r = _factory.Finished(Prepared(), [], new Usage());

        Assert.Equal(ResponseStatus.Completed, r.Status);
        Assert.Null(r.IncompleteDetails);
    }

    [Fact]
    public void Failed_CarriesTheErrorsCodeAndMessage()
    {
        var r = _factory.Failed(Prepared(), new ProtocolError(502, ErrorTypes.Server, ErrorCodes.UpstreamError, "bad gateway", null), []);

        Assert.Equal(ResponseStatus.Failed, r.Status);
        Assert.Equal((ErrorCodes.UpstreamError, "bad gateway"), (r.Error!.Code, r.Error.Message));
        Assert.Equal(Now.ToUnixTimeSeconds(), r.CompletedAt);
    }

    [Fact]
    public void Failed_ErrorWithoutCode_UsesServerError()
    {
        var r = _factory.Failed(Prepared(), new ProtocolError(500, ErrorTypes.Server, null, "boom", null), []);

        Assert.Equal(ErrorCodes.ServerError, r.Error!.Code);
    }

    [Fact]
    public void Cancelled_StoredObject_KeepsItsFieldsAndEndsNow()
    {
        var pending = _factory.Pending(Prepared(background: true), ResponseStatus.InProgress);

        var r = _factory.Cancelled(pending);

        Assert.Equal(ResponseStatus.Cancelled, r.Status);
        Assert.Equal(Now.ToUnixTimeSeconds(), r.CompletedAt);
        Assert.Equal(pending with { Status = ResponseStatus.Cancelled, CompletedAt = r.CompletedAt }, r);
    }
}
