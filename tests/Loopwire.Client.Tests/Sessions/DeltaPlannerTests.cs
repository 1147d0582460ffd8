using Loopwire.Client.Sessions;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Responses;
using static Loopwire.Client.Tests.Support.LoopwireServer;

namespace Loopwire.Client.Tests.Sessions;

public sealed class DeltaPlannerTests
{
    private static readonly object ConnectionA = new();
    private static readonly object ConnectionB = new();

    [Fact]
    public void Plan_NoChain_SendsFullConversation()
    {
        var planner = new DeltaPlanner(supportsDelta: true, forcedStore: null);

        var plan = planner.Plan([User("Hi.")], Options(), null, ConnectionA);

        Assert.Null(plan.Delta);
        Assert.Null(plan.PreviousResponseId);
        Assert.False(plan.ChainLostWithConnection);
    }

    [Fact]
    public void Plan_ConversationExtendsChain_SendsOnlyNewItems()
    {
        var planner = new DeltaPlanner(true, null);
        var options = Options();
        var (conversation, answer) = CompleteFirstTurn(planner, options, ConnectionA);
        var next = User("And then?");

        var plan = planner.Plan([.. conversation, answer, next], options, null, ConnectionA);

        Assert.Equal("resp_1", plan.PreviousResponseId);
        Assert.Same(next, Assert.Single(plan.Delta!));
    }

    [Fact]
    public void Plan_EqualButDistinctItemsAndOptions_SendsOnlyNewItems()
    {
        var planner = new DeltaPlanner(true, null);
        CompleteFirstTurn(planner, Options(), ConnectionA);

        var plan = planner.Plan([User("Hello there."), Answer(), User("And then?")], Options() with { Metadata = new() { ["k"] = "v" } },
            null, ConnectionA);

        Assert.Equal("resp_1", plan.PreviousResponseId);
        Assert.Single(plan.Delta!);
    }

    [Fact]
    public void Plan_InstructionsChanged_SendsFullConversation()
    {
        var planner = new DeltaPlanner(true, null);
        var (conversation, answer) = CompleteFirstTurn(planner, Options(), ConnectionA);

        var plan = planner.Plan([.. conversation, answer, User("And then?")], Options("Be verbose."), null, ConnectionA);

        Assert.Null(plan.Delta);
        Assert.False(plan.ChainLostWithConnection);
    }

    [Fact]
    public void Plan_HistoryEdited_SendsFullConversation()
    {
        var planner = new DeltaPlanner(true, null);
        var options = Options();
        var (_, answer) = CompleteFirstTurn(planner, options, ConnectionA);

        var plan = planner.Plan([User("Hello, edited."), answer, User("And then?")], options, null, ConnectionA);

        Assert.Null(plan.Delta);
    }

    [Fact]
    public void Plan_ChainOnReplacedConnection_SendsFullAndMarksChainLost()
    {
        var planner = new DeltaPlanner(true, null);
        var options = Options();
        var (conversation, answer) = CompleteFirstTurn(planner, options, ConnectionA);

        var plan = planner.Plan([.. conversation, answer, User("And then?")], options, null, ConnectionB);

        Assert.Null(plan.Delta);
        Assert.True(plan.ChainLostWithConnection);
    }

    [Fact]
    public void Plan_ChainOnReplacedConnectionDeltaAfterReconnect_SendsDelta()
    {
        var planner = new DeltaPlanner(true, null, deltaAfterReconnect: true);
        var options = Options();
        var (conversation, answer) = CompleteFirstTurn(planner, options, ConnectionA);

        var plan = planner.Plan([.. conversation, answer, User("And then?")], options, null, ConnectionB);

        Assert.NotNull(plan.Delta);
        Assert.Single(plan.Delta);
        Assert.NotNull(plan.PreviousResponseId);
        Assert.False(plan.ChainLostWithConnection);
    }

    [Fact]
    public void Plan_ResumedCheckpoint_TriesDeltaOnAnyConnection()
    {
        var options = Options();
        List<ResponseItem> context = [User("Hello there."), Answer()];
        var planner = new DeltaPlanner(true, null, new SessionCheckpoint("resp_0", context, options));

        var plan = planner.Plan([.. context, User("And then?")], options, null, ConnectionB);

        Assert.Equal("resp_0", plan.PreviousResponseId);
        Assert.Single(plan.Delta!);
    }

    [Fact]
    public void Plan_TransportWithoutDelta_SendsFullConversation()
    {
        var planner = new DeltaPlanner(supportsDelta: false, forcedStore: false);
        var options = Options();
        var (conversation, answer) = CompleteFirstTurn(planner, options, null);

        var plan = planner.Plan([.. conversation, answer, User("And then?")], options, null, null);

        Assert.Null(plan.Delta);
        Assert.False(plan.ChainLostWithConnection);
    }

    [Fact]
    public void Plan_RawContinuation_SendsItemsAfterGivenResponse()
    {
        var planner = new DeltaPlanner(true, null);
        List<ResponseItem> items = [User("More.")];

        var plan = planner.Plan(items, Options(), "resp_other", ConnectionA);

        Assert.True(plan.IsRawContinuation);
        Assert.Equal("resp_other", plan.PreviousResponseId);
        Assert.Same(items, plan.Delta);
    }

    [Fact]
    public void Complete_RawContinuation_LeavesNoCheckpoint()
    {
        var planner = new DeltaPlanner(true, null);
        var plan = planner.Plan([User("More.")], Options(), "resp_other", ConnectionA);

        planner.Complete(plan, Response("resp_2", ResponseStatus.Completed), ConnectionA);

        Assert.Null(planner.Checkpoint);
    }

    [Theory]
    [InlineData(ResponseStatus.Failed)]
    [InlineData(ResponseStatus.Cancelled)]
    public void Complete_ResponseNotContinuable_ForgetsChain(string status)
    {
        var planner = new DeltaPlanner(true, null);
        var options = Options();
        var (conversation, answer) = CompleteFirstTurn(planner, options, ConnectionA);
        var plan = planner.Plan([.. conversation, answer, User("And then?")], options, null, ConnectionA);

        planner.Complete(plan, Response("resp_2", status), ConnectionA);

        Assert.Null(planner.Checkpoint);
        Assert.Null(planner.Plan([.. conversation, answer, User("And then?")], options, null, ConnectionA).Delta);
    }

    [Fact]
    public void Complete_Incomplete_CheckpointsConversationPlusOutput()
    {
        var planner = new DeltaPlanner(true, null);
        var options = Options();
        List<ResponseItem> conversation = [User("Hello there.")];
        var answer = Answer();
        var plan = planner.Plan(conversation, options, null, ConnectionA);

        planner.Complete(plan, Response("resp_1", ResponseStatus.Incomplete, answer), ConnectionA);

        var checkpoint = Assert.IsType<SessionCheckpoint>(planner.Checkpoint);
        Assert.Equal("resp_1", checkpoint.ResponseId);
        Assert.Equal([conversation[0], answer], checkpoint.Context);
        Assert.Same(options, checkpoint.Options);
    }

    [Fact]
    public void Reset_AfterTurn_NextPlanIsFull()
    {
        var planner = new DeltaPlanner(true, null);
        var options = Options();
        var (conversation, answer) = CompleteFirstTurn(planner, options, ConnectionA);

        planner.Reset();

        Assert.Null(planner.Plan([.. conversation, answer, User("And then?")], options, null, ConnectionA).Delta);
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData(null, true, true)]
    [InlineData(true, false, true)]
    [InlineData(false, true, false)]
    public void Plan_Template_StoreForcedByTransportElseCallersElseFalse(bool? forced, bool? requested, bool expected)
    {
        var planner = new DeltaPlanner(true, forced);

        var plan = planner.Plan([User("Hi.")], Options() with { Store = requested, Input = [User("ignored")], PreviousResponseId = "x" },
            null, null);

        Assert.Equal(expected, plan.Template.Store);
        Assert.Null(plan.Template.Input);
        Assert.Null(plan.Template.PreviousResponseId);
    }

    private static (List<ResponseItem> Conversation, ResponseItem Answer) CompleteFirstTurn(DeltaPlanner planner,
        CreateResponseRequest options, object? connection)
    {
        List<ResponseItem> conversation = [User("Hello there.")];
        var answer = Answer();
        var plan = planner.Plan(conversation, options, null, connection);
        planner.Complete(plan, Response("resp_1", ResponseStatus.Completed, answer), connection);
        return (conversation, answer);
    }

    private static MessageItem Answer() => new() { Id = "msg_1", Role = "assistant", Content = MessageContent.FromText("General Kenobi.") };

    private static ResponseObject Response(string id, string status, params ResponseItem[] output) =>
        new() { Id = id, Status = status, Model = Model, Output = output };
}
