using System.Text.Json;
using Loopwire.Agent.Tools;
using Microsoft.Extensions.Time.Testing;
using static Loopwire.Agent.Tests.TestKit;

namespace Loopwire.Agent.Tests.Tools;

public sealed class RecordedToolRunnerTests
{
    private static readonly ToolRecording Recording = new()
    {
        Scenario = "demo",
        Calls =
        [
            Recorded(CodingTools.RunTests, "{}", "passed: 0, failed: 1\nexit code: 1"),
            Recorded(CodingTools.ReadFile, """{"path":"a.py","start_line":1}""", "print('a')\n"),
            Recorded(CodingTools.RunTests, "{}", "passed: 1, failed: 0\nexit code: 0"),
            Recorded(CodingTools.EditFile, """{"new":"x","old":"y","path":"a.py"}""", "error: 'old' was not found", isError: true),
        ],
    };

    [Fact]
    public async Task RunAsync_SameKey_KthCallGetsKthResult_ThenRepeatsLast()
    {
        var runner = new RecordedToolRunner(Recording);

        var first = await runner.RunAsync(Call(CodingTools.RunTests));
        var second = await runner.RunAsync(Call(CodingTools.RunTests));
        var third = await runner.RunAsync(Call(CodingTools.RunTests));

        Assert.StartsWith("passed: 0, failed: 1", first.Output, StringComparison.Ordinal);
        Assert.StartsWith("passed: 1, failed: 0", second.Output, StringComparison.Ordinal);
        Assert.Equal(second, third);
    }

    [Fact]
    public async Task RunAsync_ArgumentFormattingAndKeyOrder_DoNotMatter()
    {
        var runner = new RecordedToolRunner(Recording);

        var read = await runner.RunAsync(new ToolCall("c1", CodingTools.ReadFile, """{ "start_line": 1,  "path": "a.py" }"""));
        var edit = await runner.RunAsync(new ToolCall("c2", CodingTools.EditFile, """{"path":"a.py","old":"y","new":"x"}"""));

        Assert.Equal(new ToolResult("print('a')\n", false), read);
        Assert.Equal(new ToolResult("error: 'old' was not found", true), edit);
    }

    [Fact]
    public async Task RunAsync_UnknownCall_ReturnsNoRecordingError()
    {
        var runner = new RecordedToolRunner(Recording);

        var result = await runner.RunAsync(new ToolCall("c1", CodingTools.ReadFile, """{"path":"b.py"}"""));

        Assert.Equal(new ToolResult("""error: no recording for read_file {"path":"b.py"}""", true), result);
    }

    [Fact]
    public async Task RunAsync_Latency_WaitsOnTheTimeProvider()
    {
        var time = new FakeTimeProvider();
        var latency = new LatencyModel(new Dictionary<string, ToolLatency> { [CodingTools.RunTests] = new(TimeSpan.FromSeconds(1)) });
        var runner = new RecordedToolRunner(Recording, latency, seed: 1, time);

        var run = runner.RunAsync(Call(CodingTools.RunTests));
        time.Advance(TimeSpan.FromMilliseconds(999));
        bool completedEarly = run.IsCompleted;
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(completedEarly);
        Assert.StartsWith("passed: 0", (await run).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ReadFileWithoutLatencyEntry_CompletesWithoutTimeAdvancing()
    {
        var time = new FakeTimeProvider();
        var latency = new LatencyModel(new Dictionary<string, ToolLatency> { [CodingTools.RunTests] = new(TimeSpan.FromSeconds(1)) });
        var runner = new RecordedToolRunner(Recording, latency, seed: 1, time);

        var run = runner.RunAsync(new ToolCall("c1", CodingTools.ReadFile, """{"path":"a.py","start_line":1}"""));

        Assert.True(run.IsCompleted);
        Assert.False((await run).IsError);
    }

    [Fact]
    public void GetDelay_SameSeed_SameDelays_DifferentSeed_DifferentDelays()
    {
        var a = new RecordedToolRunner(Recording, LatencyModel.Default, seed: 7);
        var b = new RecordedToolRunner(Recording, LatencyModel.Default, seed: 7);
        var c = new RecordedToolRunner(Recording, LatencyModel.Default, seed: 8);

        var delaysA = Enumerable.Range(0, 20).Select(i => a.GetDelay(CodingTools.RunTests, "{}", i)).ToList();
        var delaysB = Enumerable.Range(0, 20).Select(i => b.GetDelay(CodingTools.RunTests, "{}", i)).ToList();
        var delaysC = Enumerable.Range(0, 20).Select(i => c.GetDelay(CodingTools.RunTests, "{}", i)).ToList();

        Assert.Equal(delaysA, delaysB);
        Assert.NotEqual(delaysA, delaysC);
        Assert.True(delaysA.Distinct().Count() > 15);
        Assert.All(delaysA, d => Assert.InRange(d, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void LatencyModel_ZeroJitter_IsTheMedian_AndSamplesAreCapped()
    {
        var model = new LatencyModel(
            new Dictionary<string, ToolLatency> { ["t"] = new(TimeSpan.FromMilliseconds(10)), ["j"] = new(TimeSpan.FromMilliseconds(10), 1) });

        Assert.Equal(TimeSpan.FromMilliseconds(10), model.Sample("t", 2.5));
        Assert.Equal(TimeSpan.FromMilliseconds(200), model.Sample("j", 50));
        Assert.Equal(TimeSpan.Zero, model.Sample("unknown", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LatencyModel(new Dictionary<string, ToolLatency> { ["x"] = new(TimeSpan.FromSeconds(-1)) }));
    }

    [Fact]
    public async Task RecordingToolRunner_RecordsInStartOrder_AndRoundTripsThroughJson()
    {
        var recorder = new RecordingToolRunner(new FakeToolRunner());

        await Task.WhenAll(
            recorder.RunAsync(new ToolCall("c1", CodingTools.ReadFile, """{ "path": "a.py", "end_line": 3 }""")),
            recorder.RunAsync(new ToolCall("c2", "broken", "{}")));
        await recorder.RunAsync(new ToolCall("c3", CodingTools.ReadFile, "not json"));
        var json = recorder.ToRecording("demo").ToJson();
        var loaded = ToolRecording.Parse(System.Text.Encoding.UTF8.GetBytes(json));

        Assert.Equal("demo", loaded.Scenario);
        Assert.Equal([CodingTools.ReadFile, "broken", CodingTools.ReadFile], loaded.Calls.Select(c => c.Name));
        Assert.Equal("""{"end_line":3,"path":"a.py"}""", ToolArguments.Canonicalize(loaded.Calls[0].Arguments.GetRawText()));
        Assert.True(loaded.Calls[1].IsError);
        Assert.Equal(JsonValueKind.String, loaded.Calls[2].Arguments.ValueKind);
        Assert.Contains("\"output\": \"read_file { \\\"path\\\": \\\"a.py\\\", \\\"end_line\\\": 3 } #1\"", json, StringComparison.Ordinal);
        Assert.EndsWith("}\n", json, StringComparison.Ordinal);

        var replay = new RecordedToolRunner(loaded);
        Assert.Equal("error: broken tool", (await replay.RunAsync(new ToolCall("x", "broken", ""))).Output);
        Assert.EndsWith("#3", (await replay.RunAsync(new ToolCall("y", CodingTools.ReadFile, "not json"))).Output, StringComparison.Ordinal);
    }

    [Fact]
    public void ToolRecording_SaveAndLoad_RoundTrips()
    {
        var path = Path.Combine(Path.GetTempPath(), $"loopwire-recording-{Guid.NewGuid():N}.json");
        try
        {
            Recording.Save(path);
            var loaded = ToolRecording.Load(path);

            Assert.Equal(Recording.ToJson(), loaded.ToJson());
            Assert.Equal(4, loaded.Calls.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ToolRecording_Malformed_ThrowsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => ToolRecording.Parse("""{"calls": 5}"""u8));
    }

    private static RecordedToolCall Recorded(string name, string arguments, string output, bool isError = false)
    {
        using var doc = JsonDocument.Parse(arguments);
        return new RecordedToolCall { Name = name, Arguments = doc.RootElement.Clone(), Output = output, IsError = isError };
    }
}
