using Loopwire.Engine.Backends;
using Loopwire.Engine.Context;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Streaming;
using Microsoft.Extensions.Time.Testing;

namespace Loopwire.Engine.Tests;

/// <summary>How a response ends: the outcome the engine sets, and what the finalizer stores.</summary>
public sealed class ResponseFinalizerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly FlakyStore _store = new();

    private ResponseEngine Engine(params ModelChunk[] chunks) =>
        new(new ModelRouter(new ChunkBackend(chunks)), _store, EngineTestKit.Renderer, _time);

    private static CreateResponseRequest Request(string text, string? previous = null, bool store = true) => new()
    {
        Model = "scripted",
        Input = [EngineTestKit.User(text)],
        PreviousResponseId = previous,
        Store = store,
    };

    private static async Task<(PreparedResponse Prepared, List<ResponseEvent> Events)> RunAsync(ResponseEngine engine,
        CreateResponseRequest request, IContextSource? source = null)
    {
        var prepared = await PrepareAsync(engine, request, source);
        var events = new List<ResponseEvent>();
        await foreach (var e in engine.StreamAsync(prepared))
        {
            events.Add(e);
        }

        return (prepared, events);
    }

    private static async Task<PreparedResponse> PrepareAsync(ResponseEngine engine, CreateResponseRequest request, IContextSource? source = null)
    {
        var result = await engine.PrepareAsync(request, source ?? new StoreContextSource(engine.Store, null), new TurnTimings { Transport = "test" });
        Assert.Null(result.Error);
        return result.Prepared!;
    }

    [Fact]
    public async Task StreamAsync_Completed_OutcomeIsTheTerminalEventsResponse()
    {
        var engine = Engine(new TextDelta("hi"), new ModelFinished(1));

        var (p, events) = await RunAsync(engine, Request("hello"));

        var completed = Assert.IsType<ResponseCompletedEvent>(events[^1]);
        var outcome = Assert.IsType<ResponseOutcome>(p.Outcome);
        Assert.Same(completed.Response, outcome.Response);
        Assert.Null(outcome.Error);
        Assert.False(outcome.IsFailed);
        Assert.True(outcome.Stored);
        Assert.Equal(Now.ToUnixTimeSeconds(), outcome.Response.CompletedAt);
        Assert.Equal(ResponseStatus.Completed, (await _store.GetAsync(p.Id, null))!.Response.Status);
    }

    [Fact]
    public async Task StreamAsync_ModelStopsEarly_OutcomeIsIncomplete()
    {
        var engine = Engine(new TextDelta("hi"), new ModelFinished(1, "max_output_tokens"));

        var (p, events) = await RunAsync(engine, Request("hello"));

        Assert.IsType<ResponseIncompleteEvent>(events[^1]);
        Assert.Equal(ResponseStatus.Incomplete, p.Outcome!.Response.Status);
        Assert.Equal("max_output_tokens", p.Outcome.Response.IncompleteDetails!.Reason);
        Assert.Null(p.Outcome.Error);
    }

    [Fact]
    public async Task StreamAsync_ModelFails_OutcomeCarriesTheErrorAndIsNotStored()
    {
        var engine = Engine(new TextDelta("par"), new ModelFailed(ErrorCodes.UpstreamTimeout, "The upstream timed out.", 504));

        var (p, events) = await RunAsync(engine, Request("hello"));

        var failed = Assert.IsType<ResponseFailedEvent>(events[^1]);
        var outcome = p.Outcome!;
        Assert.Same(failed.Response, outcome.Response);
        Assert.True(outcome.IsFailed);
        Assert.Equal((504, ErrorCodes.UpstreamTimeout), (outcome.Error!.Status, outcome.Error.Code));
        Assert.Equal(ResponseStatus.Failed, outcome.Response.Status);
        Assert.Equal(ErrorCodes.UpstreamTimeout, outcome.Response.Error!.Code);
        Assert.Equal(ResponseStatus.Incomplete, Assert.IsType<MessageItem>(Assert.Single(outcome.Response.Output)).Status);
        Assert.False(outcome.Stored);
        Assert.Null(await _store.GetAsync(p.Id, null));
    }

    [Fact]
    public async Task StreamAsync_BackendEndsWithoutFinishing_OutcomeIsServerError()
    {
        var engine = Engine(new TextDelta("hi"));

        var (p, _) = await RunAsync(engine, Request("hello"));

        Assert.Equal((500, ErrorCodes.ServerError), (p.Outcome!.Error!.Status, p.Outcome.Error.Code));
    }

    [Fact]
    public async Task StreamAsync_StoreFails_OutcomeIsFailedWithTheOutput()
    {
        var engine = Engine(new TextDelta("hi"), new ModelFinished(1));
        var p = await PrepareAsync(engine, Request("hello"));
        _store.FailSaves = true;

        var events = new List<ResponseEvent>();
        await foreach (var e in engine.StreamAsync(p))
        {
            events.Add(e);
        }

        var failed = Assert.IsType<ResponseFailedEvent>(events[^1]);
        Assert.Same(failed.Response, p.Outcome!.Response);
        Assert.Equal(500, p.Outcome.Error!.Status);
        Assert.Contains("disk full", p.Outcome.Error.Message, StringComparison.Ordinal);
        Assert.Single(p.Outcome.Response.Output);
        Assert.False(p.Outcome.Stored);
    }

    [Fact]
    public async Task StreamAsync_Cancelled_LeavesNoOutcome()
    {
        var engine = Engine(new TextDelta("hi"), new ModelFinished(1));
        var p = await PrepareAsync(engine, Request("hello"));
        using var cts = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var e in engine.StreamAsync(p, cts.Token))
            {
                if (e is ResponseInProgressEvent)
                {
                    await cts.CancelAsync();
                }
            }
        });

        Assert.Null(p.Outcome);
    }

    [Fact]
    public async Task StreamAsync_StoredContinuationOfCachedParent_StoresTheWholeContext()
    {
        var engine = Engine(new TextDelta("hi"), new ModelFinished(1));
        var cache = new ConnectionContextSource(_store, null, long.MaxValue);
        var (first, _) = await RunAsync(engine, Request("one", store: false), cache);

        var (second, _) = await RunAsync(engine, Request("two", first.Id), cache);

        var stored = (await _store.GetAsync(second.Id, null))!;
        Assert.Null(stored.PreviousResponseId);
        Assert.Equal(["one", "hi", "two"], stored.Input.Select(i => ((MessageItem)i).Content.JoinedText()));
        Assert.All(stored.Input, i => Assert.NotNull(i.Id));
        Assert.Equal("hi", Assert.IsType<MessageItem>(Assert.Single(stored.Response.Output)).Content.JoinedText());
    }

    [Fact]
    public async Task AbandonAsync_NoError_StoresCancelledWithTheOutputSoFar()
    {
        var engine = Engine();
        var p = await PrepareAsync(engine, Request("hello"));
        MessageItem done = new() { Id = "msg_1", Role = "assistant", Status = ResponseStatus.Completed, Content = MessageContent.FromText("partial") };

        var outcome = await engine.Finalizer.AbandonAsync(p, null, [done]);

        Assert.Same(outcome, p.Outcome);
        Assert.True(outcome.Stored);
        Assert.Null(outcome.Error);
        var stored = (await _store.GetAsync(p.Id, null))!;
        Assert.Equal(ResponseStatus.Cancelled, stored.Response.Status);
        Assert.Equal(Now.ToUnixTimeSeconds(), stored.Response.CompletedAt);
        Assert.Equal("msg_1", Assert.Single(stored.Response.Output).Id);
        Assert.Equal(p.Input.Select(i => i.Id), stored.Input.Select(i => i.Id));
    }

    [Fact]
    public async Task AbandonAsync_WithError_StoresFailed()
    {
        var engine = Engine();
        var p = await PrepareAsync(engine, Request("hello"));

        var outcome = await engine.Finalizer.AbandonAsync(p, ProtocolError.Server("boom"), []);

        Assert.Equal(ResponseStatus.Failed, outcome.Response.Status);
        Assert.Equal(ErrorCodes.ServerError, (await _store.GetAsync(p.Id, null))!.Response.Error!.Code);
    }

    [Fact]
    public async Task AbandonAsync_StoreFails_ReturnsAnUnstoredOutcome()
    {
        var engine = Engine();
        var p = await PrepareAsync(engine, Request("hello"));
        _store.FailSaves = true;

        var outcome = await engine.Finalizer.AbandonAsync(p, null, []);

        Assert.False(outcome.Stored);
        Assert.Equal(ResponseStatus.Cancelled, outcome.Response.Status);
    }

    [Fact]
    public async Task PersistAsync_FailedOutcome_StoresIt()
    {
        var engine = Engine(new ModelFailed(ErrorCodes.UpstreamError, "bad gateway", 502));
        var (p, _) = await RunAsync(engine, Request("hello"));

        var outcome = await engine.Finalizer.PersistAsync(p, p.Outcome!);

        Assert.True(outcome.Stored);
        Assert.Same(outcome, p.Outcome);
        Assert.Equal(ResponseStatus.Failed, (await _store.GetAsync(p.Id, null))!.Response.Status);
    }

    [Fact]
    public async Task SavePendingAsync_Queued_StoresItWithTheInput()
    {
        var engine = Engine();
        var p = await PrepareAsync(engine, Request("hello"));

        await engine.Finalizer.SavePendingAsync(p, engine.Pending(p, ResponseStatus.Queued), CancellationToken.None);

        var stored = (await _store.GetAsync(p.Id, null))!;
        Assert.Equal(ResponseStatus.Queued, stored.Response.Status);
        Assert.Null(stored.Response.CompletedAt);
        Assert.Equal(p.Input.Select(i => i.Id), stored.Input.Select(i => i.Id));
    }

    [Fact]
    public async Task CancelOrphanAsync_InProgress_StoresCancelledNow()
    {
        var engine = Engine();
        var p = await PrepareAsync(engine, Request("hello"));
        await engine.Finalizer.SavePendingAsync(p, engine.Pending(p, ResponseStatus.InProgress), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));

        var final = await engine.Finalizer.CancelOrphanAsync((await _store.GetAsync(p.Id, null))!, CancellationToken.None);

        Assert.Equal(ResponseStatus.Cancelled, final.Status);
        Assert.Equal(Now.AddMinutes(1).ToUnixTimeSeconds(), final.CompletedAt);
        Assert.Equal(ResponseStatus.Cancelled, (await _store.GetAsync(p.Id, null))!.Response.Status);
    }
}
