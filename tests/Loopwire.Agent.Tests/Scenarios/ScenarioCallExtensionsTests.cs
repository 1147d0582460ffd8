using System.Text.Json;
using Loopwire.Agent.Scenarios;
using Loopwire.Agent.Tools;
using Loopwire.Scenarios;

namespace Loopwire.Agent.Tests.Scenarios;

public sealed class ScenarioCallExtensionsTests
{
    [Fact]
    public void ToToolCall_ScriptedCall_KeepsNameAndRawArguments()
    {
        using var arguments = JsonDocument.Parse("""{ "pattern": "**/*.py" }""");
        var scripted = new ScenarioCall { Name = "list_files", Arguments = arguments.RootElement };

        var call = scripted.ToToolCall("call_1");

        Assert.Equal(new ToolCall("call_1", "list_files", """{ "pattern": "**/*.py" }"""), call);
    }
}
