using System.Text.Json;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Serialization;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Engine.Tests.Stores;

/// <summary>The <see cref="IBackgroundRunStore"/> contract (event log, leases, cancel requests), run against every store.</summary>
public abstract partial class ResponseStoreContractTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000);

    private IBackgroundRunStore Runs => (IBackgroundRunStore)Store;

    [StoreFact]
    public async Task AppendEventsAsync_EveryShape_ReadsBackInOrderUnchanged()
    {
        await Store.SaveAsync(Stored("resp_1"));
        var events = Events(0, 5);

        await Runs.AppendEventsAsync("resp_1", events[..2], maxEvents: 100);
        await Runs.AppendEventsAsync("resp_1", events[2..], maxEvents: 100);
        var all = await Runs.ReadEventsAsync("resp_1", startingAfter: -1, limit: 100);
        var middle = await Runs.ReadEventsAsync("resp_1", startingAfter: 1, limit: 2);

        Assert.Equal(events.Select(ToJson), all.Events.Select(ToJson));
        Assert.Equal((0, 5), (all.FirstSequence, all.NextSequence));
        Assert.Equal([2, 3], middle.Events.Select(e => e.SequenceNumber));
        Assert.Equal((0, 5), (middle.FirstSequence, middle.NextSequence));
        Assert.IsType<ErrorEvent>(all.Events[^1]);
    }

    [StoreFact]
    public async Task AppendEventsAsync_BeyondMaxEvents_KeepsOnlyTheNewest()
    {
        await Store.SaveAsync(Stored("resp_1"));

        await Runs.AppendEventsAsync("resp_1", Events(0, 6), maxEvents: 4);
        await Runs.AppendEventsAsync("resp_1", Events(6, 4), maxEvents: 4);
        var page = await Runs.ReadEventsAsync("resp_1", startingAfter: -1, limit: 100);

        Assert.Equal((6, 10), (page.FirstSequence, page.NextSequence));
        Assert.Equal([6, 7, 8, 9], page.Events.Select(e => e.SequenceNumber));
    }

    [StoreFact]
    public async Task ReadEventsAsync_NoLogOrPastTheEnd_ReportsWhatIsKept()
    {
        await Store.SaveAsync(Stored("resp_1"));
        await Runs.AppendEventsAsync("resp_1", Events(0, 3), maxEvents: 10);

        var none = await Runs.ReadEventsAsync("resp_unknown", startingAfter: -1, limit: 10);
        var past = await Runs.ReadEventsAsync("resp_1", startingAfter: 2, limit: 10);

        Assert.Empty(none.Events);
        Assert.Null(none.FirstSequence);
        Assert.Empty(past.Events);
        Assert.Equal((0, 3), (past.FirstSequence, past.NextSequence));
    }

    [StoreFact]
    public async Task DeleteEventsAsync_ForgetsTheLogButNotTheResponse()
    {
        await Store.SaveAsync(Stored("resp_1"));
        await Runs.AppendEventsAsync("resp_1", Events(0, 3), maxEvents: 10);

        await Runs.DeleteEventsAsync("resp_1");

        Assert.Null((await Runs.ReadEventsAsync("resp_1", -1, 10)).FirstSequence);
        Assert.NotNull(await Store.GetAsync("resp_1", tenant: null));
    }

    [StoreFact]
    public async Task DeleteAsync_Response_TakesItsLogAndLeaseAlong()
    {
        await Store.SaveAsync(Stored("resp_1", tenant: "t1"));
        await Runs.AppendEventsAsync("resp_1", Events(0, 3), maxEvents: 10);
        await Runs.AcquireLeaseAsync(new BackgroundLease("resp_1", "t1", "node-a", T0.AddSeconds(30)));

        Assert.True(await Store.DeleteAsync("resp_1", "t1"));

        Assert.Null((await Runs.ReadEventsAsync("resp_1", -1, 10)).FirstSequence);
        Assert.Equal(LeaseRenewal.Lost, await Runs.RenewLeaseAsync("resp_1", "node-a", T0.AddSeconds(60)));
    }

    [StoreFact]
    public async Task DeleteCreatedBeforeAsync_ExpiredResponse_TakesItsLogAlong()
    {
        await Store.SaveAsync(Stored("resp_old", createdAt: 1_000));
        await Runs.AppendEventsAsync("resp_old", Events(0, 3), maxEvents: 10);

        Assert.Equal(1, await ((IResponseRetention)Store).DeleteCreatedBeforeAsync(DateTimeOffset.FromUnixTimeSeconds(2_000)));

        Assert.Null((await Runs.ReadEventsAsync("resp_old", -1, 10)).FirstSequence);
    }

    [StoreFact]
    public async Task RenewLeaseAsync_OwnerRenewsOthersHaveLostIt()
    {
        await Store.SaveAsync(Stored("resp_1"));
        await Runs.AcquireLeaseAsync(new BackgroundLease("resp_1", null, "node-a", T0.AddSeconds(30)));

        Assert.Equal(LeaseRenewal.Renewed, await Runs.RenewLeaseAsync("resp_1", "node-a", T0.AddSeconds(60)));
        Assert.Equal(LeaseRenewal.Lost, await Runs.RenewLeaseAsync("resp_1", "node-b", T0.AddSeconds(60)));
        Assert.Equal(LeaseRenewal.Lost, await Runs.RenewLeaseAsync("resp_unknown", "node-a", T0.AddSeconds(60)));

        await Runs.ReleaseLeaseAsync("resp_1", "node-a");
        Assert.Equal(LeaseRenewal.Lost, await Runs.RenewLeaseAsync("resp_1", "node-a", T0.AddSeconds(90)));
    }

    [StoreFact]
    public async Task RequestCancelAsync_SeenAtTheNextRenewal_TenantScoped()
    {
        await Store.SaveAsync(Stored("resp_1", tenant: "t1"));
        await Runs.AcquireLeaseAsync(new BackgroundLease("resp_1", "t1", "node-a", T0.AddSeconds(30)));

        Assert.Null(await Runs.RequestCancelAsync("resp_1", "t2"));
        Assert.Equal(LeaseRenewal.Renewed, await Runs.RenewLeaseAsync("resp_1", "node-a", T0.AddSeconds(40)));
        var lease = await Runs.RequestCancelAsync("resp_1", "t1");

        Assert.Equal(new BackgroundLease("resp_1", "t1", "node-a", T0.AddSeconds(40)), lease);
        Assert.Equal(LeaseRenewal.CancelRequested, await Runs.RenewLeaseAsync("resp_1", "node-a", T0.AddSeconds(50)));
        await Runs.ReleaseLeaseAsync("resp_1", "node-a");
        Assert.Null(await Runs.RequestCancelAsync("resp_1", "t1"));
    }

    [StoreFact]
    public async Task ClaimExpiredLeasesAsync_ClaimsOnlyExpiredOnesOnceUntilTheClaimLapses()
    {
        await Store.SaveAsync(Stored("resp_dead"));
        await Store.SaveAsync(Stored("resp_alive", tenant: "t1"));
        await Runs.AcquireLeaseAsync(new BackgroundLease("resp_dead", null, "node-a", T0));
        await Runs.AcquireLeaseAsync(new BackgroundLease("resp_alive", "t1", "node-b", T0.AddSeconds(60)));

        var claimed = await Runs.ClaimExpiredLeasesAsync(T0.AddSeconds(1), "node-c", T0.AddSeconds(31));
        var again = await Runs.ClaimExpiredLeasesAsync(T0.AddSeconds(2), "node-d", T0.AddSeconds(32));
        var afterClaimLapsed = await Runs.ClaimExpiredLeasesAsync(T0.AddSeconds(40), "node-d", T0.AddSeconds(70));

        Assert.Equal([new BackgroundLease("resp_dead", null, "node-a", T0)], claimed);
        Assert.Empty(again!);
        Assert.Equal([new BackgroundLease("resp_dead", null, "node-c", T0.AddSeconds(31))], afterClaimLapsed);
        Assert.Equal(LeaseRenewal.Lost, await Runs.RenewLeaseAsync("resp_dead", "node-a", T0.AddSeconds(90)));
        Assert.Equal(LeaseRenewal.Renewed, await Runs.RenewLeaseAsync("resp_alive", "node-b", T0.AddSeconds(90)));
    }

    /// <summary><paramref name="count"/> contiguous events from <paramref name="first"/>: lifecycle, deltas, and an error last.</summary>
    private static ResponseEvent[] Events(int first, int count)
    {
        var response = Stored("resp_1").Response with { Status = ResponseStatus.InProgress };
        return [.. Enumerable.Range(first, count).Select(n => n == first + count - 1 && count > 1
            ? new ErrorEvent { SequenceNumber = n, Code = "response_cancelled", Message = "The response was cancelled." }
            : n % 2 == 0
                ? (ResponseEvent)new ResponseInProgressEvent { SequenceNumber = n, Response = response }
                : new OutputTextDeltaEvent { SequenceNumber = n, ItemId = "msg_1", Delta = $"part {n} \u00e9\u2603" })];
    }

    private static string ToJson(ResponseEvent e) => JsonSerializer.Serialize(e, ProtocolJsonContext.Default.ResponseEvent);
}
