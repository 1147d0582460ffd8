using System.Diagnostics.Metrics;
using Loopwire.Engine.Backends;
using Loopwire.Engine.Context;
using Loopwire.Engine.Stores;
using Loopwire.Protocol.Requests;

namespace Loopwire.Engine.Tests;

public sealed class EngineMetricsTests
{
    [Fact]
    public async Task StreamAsync_WithMeterFactory_RecordsOnTheFactorysMeter()
    {
        using var factory = new TestMeterFactory();
        var measurements = new List<(string Instrument, double Value, string? Stage)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.Start();
        var store = new MemoryResponseStore();
        var engine = new ResponseEngine(new ModelRouter(new ChunkBackend(new TextDelta("hi"), new ModelFinished(1))), store,
            EngineTestKit.Renderer, TimeProvider.System, meterFactory: factory);

        var prepared = (await engine.PrepareAsync(new CreateResponseRequest { Model = "scripted", Input = [EngineTestKit.User("hello")] },
            new StoreContextSource(store, null), new TurnTimings { Transport = "test" })).Prepared!;
        await foreach (var _ in engine.StreamAsync(prepared))
        {
        }

        Assert.Equal(EngineMetrics.MeterName, Assert.Single(factory.Created).Name);
        var tokens = Assert.Single(measurements, m => m.Instrument == "loopwire.tokens.rendered");
        Assert.Equal(prepared.Timings.TokensRendered, tokens.Value);
        Assert.Equal(["parse", "resolve", "render", "validate", "store", "backend_ttft"],
            measurements.Where(m => m.Instrument == "loopwire.turn.stage.duration").Select(m => m.Stage));

        void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? stage = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "stage")
                {
                    stage = tag.Value as string;
                }
            }

            lock (measurements)
            {
                measurements.Add((instrument.Name, value, stage));
            }
        }
    }
}
