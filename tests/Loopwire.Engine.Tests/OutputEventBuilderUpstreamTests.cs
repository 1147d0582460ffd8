using Loopwire.Engine.Backends;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Streaming;

namespace Loopwire.Engine.Tests;

/// <summary>The builder's events for custom tool calls, refusals and upstream reasoning.</summary>
public sealed class OutputEventBuilderUpstreamTests
{
    private readonly EventSequencer _sequencer = new();

    [Fact]
    public void CustomToolCall_DeltasConcatenated_EqualDoneAndItemInput()
    {
        var builder = new OutputEventBuilder(_sequencer, false);

        var events = new ModelChunk[] { new CustomToolCallStart("call_1", "sql"), new CustomToolCallInputDelta("SELECT "), new CustomToolCallInputDelta("1;") }
            .SelectMany(builder.Add).Concat(builder.Close()).ToList();

        var added = Assert.IsType<CustomToolCallItem>(Assert.IsType<OutputItemAddedEvent>(events[0]).Item);
        string deltas = string.Concat(events.OfType<CustomToolCallInputDeltaEvent>().Select(d => d.Delta));
        var done = Assert.Single(events.OfType<CustomToolCallInputDoneEvent>());
        var item = Assert.IsType<CustomToolCallItem>(Assert.IsType<OutputItemDoneEvent>(events[^1]).Item);
        Assert.Equal("", added.Input);
        Assert.Equal("SELECT 1;", deltas);
        Assert.Equal(deltas, done.Input);
        Assert.Equal(deltas, item.Input);
        Assert.Equal(added.Id, item.Id);
        Assert.Equal("call_1", item.CallId);
    }

    [Fact]
    public void Refusal_BecomesRefusalPartWithRefusalEvents()
    {
        var builder = new OutputEventBuilder(_sequencer, false);

        var events = new ModelChunk[] { new RefusalDelta("No"), new RefusalDelta(".") }.SelectMany(builder.Add).Concat(builder.Close()).ToList();

        Assert.Equal(["No", "."], events.OfType<RefusalDeltaEvent>().Select(d => d.Delta));
        Assert.Equal("No.", Assert.Single(events.OfType<RefusalDoneEvent>()).Refusal);
        var message = Assert.IsType<MessageItem>(Assert.IsType<OutputItemDoneEvent>(events[^1]).Item);
        var part = Assert.Single(message.Content.Parts!);
        Assert.Equal("refusal", part.Type);
        Assert.Equal("No.", part.Refusal);
        Assert.Empty(events.OfType<OutputTextDeltaEvent>());
    }

    [Fact]
    public void UpstreamReasoning_KeepsTextAndEncryptedContent()
    {
        var builder = new OutputEventBuilder(_sequencer, includeEncryptedReasoning: true);

        var events = new ModelChunk[] { new ReasoningTextDelta("think"), new ReasoningEncryptedContent("gAAA"), new TextDelta("hi") }
            .SelectMany(builder.Add).ToList();

        Assert.Equal("think", Assert.Single(events.OfType<ReasoningTextDeltaEvent>()).Delta);
        Assert.Equal("think", Assert.Single(events.OfType<ReasoningTextDoneEvent>()).Text);
        var reasoning = Assert.IsType<ReasoningItem>(builder.Output[0]);
        Assert.Equal("gAAA", reasoning.EncryptedContent);
        Assert.Equal("think", Assert.Single(reasoning.Content!).Text);
        Assert.Empty(reasoning.Summary);
    }
}
