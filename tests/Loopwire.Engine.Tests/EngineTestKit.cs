using Loopwire.Engine;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Context;
using Loopwire.Engine.Rendering;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Requests;
using Loopwire.Protocol.Streaming;
using Loopwire.Simulation;

namespace Loopwire.Engine.Tests;

/// <summary>An engine over the memory store and the simulated model, plus helpers to run turns.</summary>
internal sealed class EngineTestKit
{
    public static readonly O200kTokenRenderer Renderer = new();

    public EngineTestKit(TimeProvider? time = null)
    {
        Store = new MemoryResponseStore();
        Backend = new SimulatedBackend(new SimulatedOptions(), Renderer, time ?? TimeProvider.System);
        Engine = new ResponseEngine(new ModelRouter(Backend), Store, Renderer, time ?? TimeProvider.System);
    }

    public MemoryResponseStore Store { get; }

    public SimulatedBackend Backend { get; }

    public ResponseEngine Engine { get; }

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

    public async Task<(PreparedResponse Prepared, List<ResponseEvent> Events)> RunAsync(CreateResponseRequest request, IContextSource source,
        string transport = "test")
    {
        var timings = new TurnTimings { Transport = transport };
        var result = await Engine.PrepareAsync(request, source, timings);
        Assert.Null(result.Error);
        var events = new List<ResponseEvent>();
        await foreach (var e in Engine.StreamAsync(result.Prepared!))
        {
            events.Add(e);
        }

        return (result.Prepared!, events);
    }
}
