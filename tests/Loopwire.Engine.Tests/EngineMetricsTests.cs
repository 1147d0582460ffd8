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

    [Fact]
    public void ResponseEnded_LongOrTooManyModelNames_AreRecordedAsOther()
    {
        using var factory = new TestMeterFactory();
        var models = new List<string?>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Name == EngineMetrics.RequestDurationName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "gen_ai.request.model")
                {
                    models.Add(tag.Value as string);
                }
            }
        });
        listener.Start();
        var metrics = new EngineMetrics(factory);
        var timings = new TurnTimings { Transport = "test" };

        metrics.ResponseEnded(timings, new string('m', EngineMetrics.MaxModelNameLength + 1), null, 0, System.Diagnostics.Stopwatch.GetTimestamp());
        for (int i = 0; i <= EngineMetrics.MaxModelNames; i++)
        {
            metrics.ResponseEnded(timings, $"model-{i}", null, 0, System.Diagnostics.Stopwatch.GetTimestamp());
        }

        Assert.Equal(EngineMetrics.OtherModel, models[0]);
        Assert.Equal("model-0", models[1]);
        Assert.Equal($"model-{EngineMetrics.MaxModelNames - 1}", models[EngineMetrics.MaxModelNames]);
        Assert.Equal(EngineMetrics.OtherModel, models[^1]);
    }
}
