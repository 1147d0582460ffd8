using Loopwire.Agent.Scenarios;
using Loopwire.Agent.Tools;
using Loopwire.Scenarios;
using Microsoft.ML.Tokenizers;
using Xunit.Abstractions;
using static Loopwire.Agent.Tests.TestKit;

namespace Loopwire.Agent.Tests.Scenarios;

/// <summary>Plays every sample's script against the real tools, so the samples and their scripts stay in sync.</summary>
public sealed class SampleScenarioTests(ITestOutputHelper output)
{
    public static TheoryData<string> SampleNames => new() { "fix-small", "fix-multi", "long-haul" };

    [Theory]
    [MemberData(nameof(SampleNames))]
    public async Task Scenario_PlayedThroughRealTools_FixesTheTests(string name)
    {
        var sample = SampleLocator.GetSample(name);
        var scenario = sample.LoadScenario();
        using var workspace = sample.CreateWorkspace();
        var runner = new WorkspaceToolRunner(workspace, scenario);

        var before = await runner.RunAsync(Call(CodingTools.RunTests));
        var played = await PlayAsync(scenario, runner);
        var after = await runner.RunAsync(Call(CodingTools.RunTests));

        Assert.True(TestRunSummary.TryParse(before.Output, out var initial) && !initial.Succeeded, before.Output);
        foreach (var (step, call, result) in played)
        {
            Assert.False(result.IsError, $"{call.Name} {call.ArgumentsJson} failed: {result.Output}");
            if (call.Name == CodingTools.RunTests && step.ExpectTests is { } expected)
            {
                Assert.True(TestRunSummary.TryParse(result.Output, out var summary), result.Output);
                Assert.True(summary.Succeeded == (expected == TestExpectation.Pass), $"expected {expected}: {result.Output}");
            }
        }

        Assert.True(TestRunSummary.TryParse(after.Output, out var final) && final.Succeeded, after.Output);
        var edited = played.Where(p => p.Call.Name == CodingTools.EditFile)
            .Select(p => p.Call.Arguments.GetProperty("path").GetString()!).Distinct().Order(StringComparer.Ordinal).ToList();
        var changed = workspace.Diff().TrimEnd('\n').Split('\n').Select(line => line.Split(' ')[1]).ToList();
        Assert.Equal(edited, changed);
        Assert.Equal(scenario.Steps.Count(s => s.ExpectTests is not null), played.Count(p => p.Step.ExpectTests is not null));
        output.WriteLine($"{name}: {scenario.Steps.Count} steps, {played.Count} calls, final {final}");
    }

    [Fact]
    public async Task Scenario_PlayedTwice_EndsInTheSameWorkspace()
    {
        var sample = SampleLocator.GetSample("fix-small");
        var scenario = sample.LoadScenario();
        using var first = sample.CreateWorkspace();
        using var second = sample.CreateWorkspace();

        await PlayAsync(scenario, new WorkspaceToolRunner(first, scenario));
        await PlayAsync(scenario, new WorkspaceToolRunner(second, scenario));

        Assert.NotEqual("", first.Diff());
        Assert.Equal(first.Diff(), second.Diff());
        Assert.Equal(first.Snapshot(), second.Snapshot());
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public async Task Recording_Committed_ReplaysTheWholeScenario(string name)
    {
        var sample = SampleLocator.GetSample(name);
        var scenario = sample.LoadScenario();
        var runner = new RecordedToolRunner(sample.LoadRecording());

        var played = await PlayAsync(scenario, runner);

        foreach (var (step, call, result) in played)
        {
            Assert.DoesNotContain("no recording for", result.Output, StringComparison.Ordinal);
            Assert.False(result.IsError, $"{call.Name} {call.ArgumentsJson}: {result.Output}");
            if (step.ExpectTests is { } expected)
            {
                Assert.True(TestRunSummary.TryParse(result.Output, out var summary));
                Assert.Equal(expected == TestExpectation.Pass, summary.Succeeded);
            }
        }
    }

    [Fact]
    public async Task Recording_FixSmall_MatchesAFreshRealRun()
    {
        var sample = SampleLocator.GetSample("fix-small");
        var committed = sample.LoadRecording();

        var fresh = await RecordAsync(sample);

        Assert.Equal(committed.Scenario, fresh.Scenario);
        Assert.Equal(committed.Calls.Count, fresh.Calls.Count);
        for (int i = 0; i < fresh.Calls.Count; i++)
        {
            var (expected, actual) = (committed.Calls[i], fresh.Calls[i]);
            Assert.Equal(expected.Name, actual.Name);
            Assert.Equal(ToolArguments.Canonicalize(expected.Arguments.GetRawText()), ToolArguments.Canonicalize(actual.Arguments.GetRawText()));
            Assert.Equal(expected.IsError, actual.IsError);
            if (actual.Name == CodingTools.RunTests)
            {
                // Tracebacks vary between Python versions; the counts and the exit code must not.
                Assert.True(TestRunSummary.TryParse(expected.Output, out var e));
                Assert.True(TestRunSummary.TryParse(actual.Output, out var a));
                Assert.Equal(e, a);
            }
            else
            {
                Assert.Equal(expected.Output, actual.Output);
            }
        }
    }

    [Fact]
    public void LongHaul_StageFiles_AreWithinTheTokenBudget()
    {
        var sample = SampleLocator.GetSample("long-haul");
        var tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");
        var stages = Directory.GetFiles(Path.Combine(sample.RootDirectory, "freight", "stages"), "s*.py");

        var counts = stages.Select(f => tokenizer.CountTokens(File.ReadAllText(f))).ToList();

        Assert.Equal(60, stages.Length);
        Assert.All(counts, n => Assert.InRange(n, 1600, 2000));
        Assert.True(counts.Sum() >= 100_000, $"{counts.Sum()} tokens");
        output.WriteLine($"long-haul stages: {counts.Min()}..{counts.Max()} tokens, {counts.Sum()} in total");
    }

    [Fact]
    public void Scenarios_HaveTheIntendedShape()
    {
        var small = SampleLocator.GetSample("fix-small").LoadScenario();
        var multi = SampleLocator.GetSample("fix-multi").LoadScenario();
        var longHaul = SampleLocator.GetSample("long-haul").LoadScenario();

        Assert.InRange(small.Steps.Count, 6, 10);
        Assert.InRange(multi.Steps.Sum(s => s.Calls?.Count ?? 0), 20, 30);
        Assert.Contains(multi.Steps, s => s.Calls?.Count > 1);
        Assert.Equal(2, multi.Steps.Count(s => s.Calls?.Any(c => c.Name == CodingTools.EditFile) == true));
        Assert.True(longHaul.Steps.Count >= 60);
        var read = longHaul.Steps.SelectMany(s => s.Calls ?? []).Where(c => c.Name == CodingTools.ReadFile)
            .Select(c => c.Arguments.GetProperty("path").GetString()).ToHashSet();
        var stageFiles = Directory.GetFiles(Path.Combine(SampleLocator.GetSample("long-haul").RootDirectory, "freight", "stages"), "s*.py");
        Assert.All(stageFiles, f => Assert.Contains("freight/stages/" + Path.GetFileName(f), read));
        Assert.All(longHaul.Steps.Where(s => s.Calls is not null), s => Assert.Single(s.Calls!));
    }

    private static async Task<ToolRecording> RecordAsync(Sample sample)
    {
        var scenario = sample.LoadScenario();
        using var workspace = sample.CreateWorkspace();
        var recorder = new RecordingToolRunner(new WorkspaceToolRunner(workspace, scenario));
        await PlayAsync(scenario, recorder);
        return recorder.ToRecording(scenario.Name);
    }
}
