using System.Text;
using Loopwire.Protocol.Errors;
using Loopwire.Protocol.Items;
using Loopwire.Protocol.Validation;
using static Loopwire.Protocol.Tests.WireJson;

namespace Loopwire.Protocol.Tests.Validation;

/// <summary>The <c>conversation</c> parameter and <c>tool_choice</c>.</summary>
public sealed partial class RequestReaderTests
{
    [Fact]
    public void TryParse_PreviousResponseIdWithConversation_MutuallyExclusive()
    {
        var error = ParseInvalid("""{"model":"m","input":"hi","previous_response_id":"resp_1","conversation":"conv_1"}""");

        AssertError(error, "mutually_exclusive_parameters", "conversation");
        Assert.Contains("previous_response_id", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"conv_1\"")]
    [InlineData("{\"id\":\"conv_1\"}")]
    public void TryParse_ConversationAlone_Valid(string conversation)
    {
        var req = ParseValid($$"""{"model":"m","input":"hi","conversation":{{conversation}}}""");

        Assert.NotNull(req.Conversation);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("{\"name\":\"x\"}")]
    [InlineData("\"\"")]
    public void TryParse_ConversationWrongShape_InvalidType(string conversation)
    {
        AssertError(ParseInvalid($$"""{"model":"m","input":"hi","conversation":{{conversation}}}"""), "invalid_type", "conversation");
    }

    [Theory]
    [InlineData("\"sometimes\"", "invalid_value")]
    [InlineData("{\"type\":\"function\"}", "missing_required_parameter")]
    [InlineData("{\"type\":\"function\",\"name\":\"nope\"}", "tool_choice_not_found")]
    [InlineData("{\"type\":\"allowed_tools\",\"mode\":\"maybe\",\"tools\":[]}", "invalid_value")]
    public void TryParse_BadToolChoice_Invalid(string choice, string code)
    {
        var error = ParseInvalid($$"""{"model":"m","input":"hi","tools":[{"type":"function","name":"f"}],"tool_choice":{{choice}}}""");

        Assert.Equal(code, error.Code);
        Assert.StartsWith("tool_choice", error.Param, StringComparison.Ordinal);
    }
}
