using Loopwire.Bench.Matrix;
using Loopwire.Bench.Report;
using Loopwire.Client.Sessions;

namespace Loopwire.Bench.Tests.Matrix;

public sealed class BenchArmsTests
{
    [Theory]
    [InlineData("http-stateless", SessionTransport.HttpStateless)]
    [InlineData("http-chained", SessionTransport.HttpChained)]
    [InlineData("http-polling", SessionTransport.HttpPolling)]
    [InlineData("ws-full", SessionTransport.WebSocketFullReplay)]
    [InlineData("ws", SessionTransport.WebSocket)]
    [InlineData("grpc", SessionTransport.Grpc)]
    public void Transport_EveryArm_MapsToItsSessionTransport(string arm, SessionTransport expected)
    {
        Assert.Equal(expected, BenchArms.Transport(arm));
        Assert.Contains(arm, BenchArms.All);
    }

    [Fact]
    public void Transport_UnknownArm_NamesTheKnownOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => BenchArms.Transport("grpc-web"));
        Assert.Contains("http-polling", ex.Message, StringComparison.Ordinal);
        Assert.Contains("grpc", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Streaming_IsEveryArmButPolling()
    {
        Assert.DoesNotContain("http-polling", BenchArms.Streaming);
        Assert.Equal(BenchArms.All.Count - 1, BenchArms.Streaming.Count);
    }

    [Fact]
    public void ArmStyle_NewArms_HaveTheirOwnColourAndOrder()
    {
        Assert.Equal(BenchArms.All, ArmStyle.Sort(BenchArms.All.Reverse()));
        Assert.Equal(BenchArms.All.Count, BenchArms.All.Select(ArmStyle.Color).Distinct().Count());
    }
}
