using Loopwire.Engine.Backends;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Responses;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Engine.Tests;

public sealed class OutputEventBuilderTests
{
    private readonly EventSequencer _sequencer = new();

    private OutputEventBuilder Builder(bool encrypted = false) => new(_sequencer, encrypted);

    private static List<ResponseEvent> Run(OutputEventBuilder builder, params ModelChunk[] chunks) =>
        chunks.SelectMany(builder.Add).ToList();

    [Fact]
    public void Add_TextDeltas_OpensOneMessageThenStreamsDeltas()
    {
        var builder = Builder();

        var events = Run(builder, new TextDelta("Hel"), new TextDelta("lo"));

        Assert.Collection(events,
            e => Assert.IsType<MessageItem>(Assert.IsType<OutputItemAddedEvent>(e).Item),
            e => Assert.IsType<ContentPartAddedEvent>(e),
            e => Assert.Equal("Hel", Assert.IsType<OutputTextDeltaEvent>(e).Delta),
            e => Assert.Equal("lo", Assert.IsType<OutputTextDeltaEvent>(e).Delta));
        Assert.True(builder.HasOpenItem);
        Assert.Empty(builder.Output);
    }

    [Fact]
    public void Close_OpenMessage_FinishesItWithTheJoinedText()
    {
        var builder = Builder();
        var added = (OutputItemAddedEvent)Run(builder, new TextDelta("Hel"), new TextDelta("lo"))[0];

        var events = builder.Close().ToList();

        Assert.Collection(events,
            e => Assert.Equal("Hello", Assert.IsType<OutputTextDoneEvent>(e).Text),
            e => Assert.Equal("Hello", Assert.IsType<ContentPartDoneEvent>(e).Part.Text),
            e => Assert.Equal(0, Assert.IsType<OutputItemDoneEvent>(e).OutputIndex));
        var message = Assert.IsType<MessageItem>(Assert.Single(builder.Output));
        Assert.Equal(added.Item.Id, message.Id);
        Assert.Equal(ResponseStatus.Completed, message.Status);
        Assert.Equal("Hello", message.Content.JoinedText());
        Assert.False(builder.HasOpenItem);
    }

    [Fact]
    public void Add_KindChanges_ClosesThePreviousItemBeforeOpeningTheNext()
    {
        var builder = Builder();

        var events = Run(builder, new ReasoningDelta("think"), new TextDelta("answer"));

        int reasoningDone = events.FindIndex(e => e is OutputItemDoneEvent { Item: ReasoningItem });
        int messageAdded = events.FindIndex(e => e is OutputItemAddedEvent { Item: MessageItem });
        Assert.InRange(reasoningDone, 0, messageAdded - 1);
        Assert.Equal(1, ((OutputItemAddedEvent)events[messageAdded]).OutputIndex);
        var reasoning = Assert.IsType<ReasoningItem>(Assert.Single(builder.Output));
        Assert.Equal("think", Assert.Single(reasoning.Summary).Text);
        Assert.Null(reasoning.EncryptedContent);
    }

    [Fact]
    public void Add_SequenceNumbers_AreContiguousFromTheSequencer()
    {
        var builder = Builder();

        var events = Run(builder, new ReasoningDelta("a"), new TextDelta("b"), new ToolCallStart("call_1", "f"), new ToolCallArgumentsDelta("{}"));
        events.AddRange(builder.Close());

        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.SequenceNumber));
        Assert.Equal(events.Count, _sequencer.NextNumber);
    }

    [Fact]
    public void Add_ToolCalls_EachStartClosesThePreviousCall()
    {
        var builder = Builder();

        Run(builder, new ToolCallStart("call_1", "get_weather"), new ToolCallArgumentsDelta("{\"city\":"), new ToolCallArgumentsDelta("\"Paris\"}"),
            new ToolCallStart("call_2", "get_time"));
        var events = builder.Close().ToList();

        Assert.Equal("{}", Assert.IsType<FunctionCallArgumentsDoneEvent>(events[0]).Arguments);
        Assert.Collection(builder.Output,
            i =>
            {
                var call = Assert.IsType<FunctionCallItem>(i);
                Assert.Equal(("call_1", "get_weather", "{\"city\":\"Paris\"}"), (call.CallId, call.Name, call.Arguments));
            },
            i => Assert.Equal("call_2", Assert.IsType<FunctionCallItem>(i).CallId));
    }

    [Fact]
    public void Close_CutOffCall_IsMarkedIncomplete()
    {
        var builder = Builder();
        Run(builder, new ToolCallStart("call_1", "get_weather"), new ToolCallArgumentsDelta("{\"ci"));

        var events = builder.Close(ResponseStatus.Incomplete).ToList();

        var done = Assert.IsType<OutputItemDoneEvent>(events[^1]);
        Assert.Equal(ResponseStatus.Incomplete, Assert.IsType<FunctionCallItem>(done.Item).Status);
    }

    [Fact]
    public void Add_ArgumentsWithoutOpenCall_AreIgnored()
    {
        var builder = Builder();
        Run(builder, new TextDelta("hi"));

        var events = Run(builder, new ToolCallArgumentsDelta("{}"), new PromptProcessed(3), new ModelFinished(1));

        Assert.Empty(events);
        Assert.True(builder.HasOpenItem);
    }

    [Fact]
    public void Close_NothingOpen_YieldsNothing()
    {
        var builder = Builder();

        Assert.Empty(builder.Close());
        Assert.Empty(builder.Output);
        Assert.Equal(0, _sequencer.NextNumber);
    }

    [Fact]
    public void Close_Reasoning_WithEncryptedContentRequested_CarriesIt()
    {
        var builder = Builder(encrypted: true);
        Run(builder, new ReasoningDelta("secret"));

        _ = builder.Close().ToList();

        Assert.StartsWith("sim:", Assert.IsType<ReasoningItem>(Assert.Single(builder.Output)).EncryptedContent, StringComparison.Ordinal);
    }
}
