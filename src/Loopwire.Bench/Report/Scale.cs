namespace Loopwire.Bench.Report;

/// <summary>Maps data values to SVG pixels along one axis and proposes the ticks to label.</summary>
internal abstract class Scale
{
    protected Scale(double rangeFrom, double rangeTo)
    {
        RangeFrom = rangeFrom;
        RangeTo = rangeTo;
    }

    public double RangeFrom { get; }

    public double RangeTo { get; }

    public abstract double Min { get; }

    public abstract double Max { get; }

    public abstract bool IsLog { get; }

    public abstract double Map(double value);

    public abstract IReadOnlyList<double> Ticks();

    /// <summary>A linear axis when the positive values span at most two decades (or any value is ≤ 0 and nothing
    /// positive spans more), else a log axis; the rule the report states in its captions.</summary>
    public static Scale Auto(IEnumerable<double> values, double rangeFrom, double rangeTo, bool zeroBased = true)
    {
        var finite = values.Where(double.IsFinite).ToList();
        var positive = finite.Where(v => v > 0).ToList();
        if (positive.Count > 1 && positive.Max() / positive.Min() > 100)
        {
            return new LogScale(positive.Min(), positive.Max(), rangeFrom, rangeTo);
        }

        var max = finite.Count == 0 ? 1 : finite.Max();
        var min = finite.Count == 0 ? 0 : finite.Min();
        return new LinearScale(zeroBased ? Math.Min(0, min) : min, max, rangeFrom, rangeTo);
    }
}

/// <summary>A linear scale with "nice" bounds and 1–2–5 steps.</summary>
internal sealed class LinearScale : Scale
{
    private readonly double _step;

    public LinearScale(double min, double max, double rangeFrom, double rangeTo, int targetTicks = 5)
        : base(rangeFrom, rangeTo)
    {
        if (!double.IsFinite(min))
        {
            min = 0;
        }

        if (!double.IsFinite(max) || max <= min)
        {
            max = min + (min == 0 ? 1 : Math.Abs(min) * 0.1);
        }

        _step = NiceStep((max - min) / Math.Max(1, targetTicks));
        Min = Math.Floor((min / _step) + 1e-9) * _step;
        Max = Math.Ceiling((max / _step) - 1e-9) * _step;
        if (Max <= Min)
        {
            Max = Min + _step;
        }
    }

    public override double Min { get; }

    public override double Max { get; }

    public override bool IsLog => false;

    public override double Map(double value) =>
        RangeFrom + ((Math.Clamp(value, Min, Max) - Min) / (Max - Min) * (RangeTo - RangeFrom));

    public override IReadOnlyList<double> Ticks()
    {
        var ticks = new List<double>();
        for (var v = Min; v <= Max + (_step * 1e-6); v += _step)
        {
            ticks.Add(Math.Abs(v) < _step * 1e-9 ? 0 : Math.Round(v, 12));
        }

        return ticks;
    }

    private static double NiceStep(double raw)
    {
        if (!(raw > 0) || !double.IsFinite(raw))
        {
            return 1;
        }

        var mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var f = raw / mag;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
    }
}

/// <summary>A base-10 log scale over whole decades; values ≤ 0 are drawn at the bottom of the axis.</summary>
internal sealed class LogScale : Scale
{
    private readonly double _lo;
    private readonly double _hi;

    public LogScale(double minPositive, double max, double rangeFrom, double rangeTo)
        : base(rangeFrom, rangeTo)
    {
        _lo = Math.Floor(Math.Log10(minPositive));
        _hi = Math.Ceiling(Math.Log10(max));
        if (_hi <= _lo)
        {
            _hi = _lo + 1;
        }
    }

    public override double Min => Math.Pow(10, _lo);

    public override double Max => Math.Pow(10, _hi);

    public override bool IsLog => true;

    public override double Map(double value)
    {
        var l = value > 0 ? Math.Clamp(Math.Log10(value), _lo, _hi) : _lo;
        return RangeFrom + ((l - _lo) / (_hi - _lo) * (RangeTo - RangeFrom));
    }

    public override IReadOnlyList<double> Ticks()
    {
        var decades = _hi - _lo;
        double[] mantissas = decades <= 2 ? [1, 2, 5] : decades <= 3 ? [1, 3] : [1];
        var ticks = new List<double>();
        for (var e = _lo; e <= _hi; e++)
        {
            foreach (var m in mantissas)
            {
                var v = m * Math.Pow(10, e);
                if (v <= Max * (1 + 1e-9))
                {
                    ticks.Add(v);
                }
            }
        }

        return ticks;
    }
}
