using System.Text.Json.Serialization;

namespace Loopwire.Scenarios;

/// <summary>The expected outcome of a scripted test run.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TestExpectation>))]
public enum TestExpectation
{
    /// <summary>The tests pass: exit code 0, no failures, at least one test passed.</summary>
    [JsonStringEnumMemberName("pass")]
    Pass,

    /// <summary>At least one test fails (or the run fails).</summary>
    [JsonStringEnumMemberName("fail")]
    Fail,
}
