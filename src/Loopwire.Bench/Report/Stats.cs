namespace Loopwire.Bench.Report;

/// <summary>Order statistics over small samples.</summary>
internal static class Stats
{
    /// <summary>The p-quantile (0..1) of an ascending-sorted sample, linearly interpolated; NaN when empty.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var pos = Math.Clamp(p, 0, 1) * (sorted.Count - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (pos - lo));
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToList();
        return Quantile(sorted, 0.5);
    }

    /// <summary>Spearman's rank correlation of two equally long samples (ties get their mean rank); NaN when undefined.</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count || x.Count < 2)
        {
            return double.NaN;
        }

        var rx = Ranks(x);
        var ry = Ranks(y);
        double mx = rx.Average(), my = ry.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < rx.Length; i++)
        {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }

        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    private static double[] Ranks(IReadOnlyList<double> v)
    {
        var idx = Enumerable.Range(0, v.Count).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Count];
        for (var i = 0; i < idx.Length;)
        {
            var j = i;
            while (j + 1 < idx.Length && v[idx[j + 1]] == v[idx[i]])
            {
                j++;
            }

            for (var k = i; k <= j; k++)
            {
                ranks[idx[k]] = (i + j) / 2.0;
            }

            i = j + 1;
        }

        return ranks;
    }
}
