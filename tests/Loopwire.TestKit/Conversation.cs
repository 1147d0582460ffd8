using System.Text.Json;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;

namespace Loopwire.TestKit;

/// <summary>Typed conversation pieces for tests that talk through the client library's wire types.</summary>
public static class Conversation
{
    /// <summary>One function tool, <c>lookup</c>, taking a string <c>city</c>: the simulated model calls it when asked to.</summary>
    public static IReadOnlyList<ToolDefinition> LookupTools { get; } =
    [
        new ToolDefinition
        {
            Type = "function",
            Name = "lookup",
            Description = "Looks a city up.",
            Parameters = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement.Clone(),
        },
    ];

    /// <summary>A user message with plain text content.</summary>
    public static MessageItem User(string text) => new() { Role = "user", Content = MessageContent.FromText(text) };

    /// <summary>A tool result for <paramref name="callId"/>.</summary>
    public static FunctionCallOutputItem ToolOutput(string callId, string output) =>
        new() { CallId = callId, Output = MessageContent.FromText(output) };
}
