using Loopwire.Engine.Rendering;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;

namespace Loopwire.Simulation.Tests;

/// <summary>Shared pieces for the simulated model's tests: the renderer, a user message and a tool.</summary>
internal static class SimulationTestKit
{
    public static readonly O200kTokenRenderer Renderer = new();

    public static IReadOnlyList<ToolDefinition> WeatherTool { get; } =
    [
        new ToolDefinition
        {
            Type = "function",
            Name = "get_weather",
            Parameters = System.Text.Json.JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}}}""").RootElement,
        },
    ];

    public static MessageItem User(string text) => new() { Role = "user", Content = MessageContent.FromText(text) };
}
