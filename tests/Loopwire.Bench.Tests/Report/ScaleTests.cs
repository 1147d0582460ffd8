using Loopwire.Bench.Report;

namespace Loopwire.Bench.Tests.Report;

public sealed class ScaleTests
{
    [Fact]
    public void Auto_SpanOverTwoDecades_IsLog()
    {
        var scale = Scale.Auto([0.05, 3, 120], 300, 0);

        Assert.True(scale.IsLog);
        Assert.Equal(0.01, scale.Min, 6);
        Assert.Equal(1000, scale.Max, 6);
    }

    [Fact]
    public void Auto_SpanUnderTwoDecades_IsLinearFromZeroWithNiceTicks()
    {
        var scale = Scale.Auto([12, 870], 0, 400);

        Assert.False(scale.IsLog);
        Assert.Equal([0, 200, 400, 600, 800, 1000], scale.Ticks());
        Assert.Equal(400 * 870 / 1000.0, scale.Map(870), 6);
    }

    [Theory]
    [InlineData(new double[0])]
    [InlineData(new[] { 0.0, 0.0 })]
    [InlineData(new[] { 5.0 })]
    [InlineData(new[] { double.NaN, double.PositiveInfinity })]
    public void Auto_DegenerateValues_MapsToFinitePixels(double[] values)
    {
        var scale = Scale.Auto(values, 0, 100);

        Assert.All(scale.Ticks(), t => Assert.True(double.IsFinite(scale.Map(t))));
        Assert.True(scale.Max > scale.Min);
    }
}
