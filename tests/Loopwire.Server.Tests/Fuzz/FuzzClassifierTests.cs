using System.Net.WebSockets;
using Loopwire.Fuzz;

namespace Loopwire.Server.Tests.Fuzz;

public sealed class FuzzClassifierTests
{
    [Theory]
    [InlineData(200, FuzzOutcome.Http2xx)]
    [InlineData(404, FuzzOutcome.Http4xx)]
    [InlineData(500, FuzzOutcome.Http5xx)]
    [InlineData(302, FuzzOutcome.HttpOther)]
    public void Http_Status_Outcome(int status, FuzzOutcome expected) => Assert.Equal(expected, FuzzClassifier.Http(status));

    [Theory]
    [InlineData(1009, "", false, FuzzOutcome.WsClosed)]
    [InlineData(1000, "", true, FuzzOutcome.WsClosed)]
    [InlineData(1000, "idle", false, FuzzOutcome.WsClosed)]
    [InlineData(1000, "", false, FuzzOutcome.WsBadClose)]
    [InlineData(1011, "internal error", true, FuzzOutcome.WsBadClose)]
    [InlineData(1005, "", true, FuzzOutcome.WsBadClose)]
    public void Close_CodeAndReason_Outcome(int code, string description, bool mayClose, FuzzOutcome expected) =>
        Assert.Equal(expected, FuzzClassifier.Close(code, description, mayClose, "k").Outcome);

    [Theory]
    [InlineData("error", 400, FuzzOutcome.WsErrorEvent)]
    [InlineData("error", 503, FuzzOutcome.WsBadClose)]
    [InlineData("response.completed", 0, FuzzOutcome.WsCompleted)]
    [InlineData("response.incomplete", 0, FuzzOutcome.WsCompleted)]
    [InlineData("response.failed", 0, FuzzOutcome.WsBadClose)]
    public void Reply_Terminal_Outcome(string type, int status, FuzzOutcome expected) =>
        Assert.Equal(expected, FuzzClassifier.Reply(type, status, "{}", "k")?.Outcome);

    [Theory]
    [InlineData("response.output_text.delta")]
    [InlineData("<not json>")]
    [InlineData(null)]
    public void Reply_Intermediate_KeepReading(string? type) => Assert.Null(FuzzClassifier.Reply(type, 0, "{}", "k"));

    [Fact]
    public void Broken_FittingCloseSeen_Closed() =>
        Assert.Equal(FuzzOutcome.WsClosed, FuzzClassifier.Broken(WebSocketCloseStatus.InvalidPayloadData, false, "k", "reset").Outcome);

    [Fact]
    public void Broken_InvalidUtf8Message_Dropped() =>
        Assert.Equal(FuzzOutcome.WsDropped, FuzzClassifier.Broken(null, true, "k", "reset").Outcome);

    [Fact]
    public void Broken_OtherwiseBadClose() =>
        Assert.Equal(FuzzOutcome.WsBadClose, FuzzClassifier.Broken(WebSocketCloseStatus.InternalServerError, false, "k", "reset").Outcome);

    [Theory]
    [InlineData(FuzzOutcome.Http5xx, true)]
    [InlineData(FuzzOutcome.Hang, true)]
    [InlineData(FuzzOutcome.WsDropped, false)]
    [InlineData(FuzzOutcome.Http4xx, false)]
    public void IsFailure_FaultsOnly(FuzzOutcome outcome, bool failure) => Assert.Equal(failure, FuzzReport.IsFailure(outcome));
}
