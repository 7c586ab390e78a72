namespace RagTune.Evaluation.Compare.Statistics;

/// <summary>
/// Seeded percentile bootstrap (Efron &amp; Tibshirani 1993, ch. 13): resample the items with replacement, recompute the
/// statistic, take the 2.5th and 97.5th percentiles. The statistic sees item indices, so non-additive metrics
/// (macro-F1) are recomputed on every resample, and two arms resampled with the same indices give a paired interval.
/// </summary>
public static class Bootstrap
{
    /// <summary>Resamples used by the compare report (the issue asks for at least 1,000).</summary>
    public const int DefaultResamples = 2000;

    /// <summary>The percentile interval of <paramref name="statistic"/> over <paramref name="itemCount"/> items.</summary>
    public static (double Low, double High) Interval(int itemCount, Func<IReadOnlyList<int>, double> statistic, int seed,
                                                     int resamples = DefaultResamples, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(statistic);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(resamples);
        if (itemCount == 0) return (double.NaN, double.NaN);
        var random = new Random(seed);
        var values = new double[resamples];
        var indices = new int[itemCount];
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < itemCount; i++) indices[i] = random.Next(itemCount);
            values[r] = statistic(indices);
        }
        return PercentileInterval(values, confidence);
    }

    /// <summary>Interval of the mean of <paramref name="values"/> (NaN entries are not items of this metric).</summary>
    public static (double Low, double High) MeanInterval(IReadOnlyList<double> values, int seed, int resamples = DefaultResamples)
    {
        var defined = values.Where(v => !double.IsNaN(v)).ToArray();
        return Interval(defined.Length, idx => Mean(defined, idx), seed, resamples);
    }

    /// <summary>Paired interval of mean(a) − mean(b) over the items where both are defined.</summary>
    public static (double Low, double High) PairedMeanDifferenceInterval(IReadOnlyList<double> a, IReadOnlyList<double> b, int seed,
                                                                         int resamples = DefaultResamples)
    {
        var diffs = Paired(a, b).Select(p => p.A - p.B).ToArray();
        return Interval(diffs.Length, idx => Mean(diffs, idx), seed, resamples);
    }

    /// <summary>The items where both <paramref name="a"/> and <paramref name="b"/> are defined (not NaN).</summary>
    public static IReadOnlyList<(double A, double B)> Paired(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"paired samples need the same items ({a.Count} vs {b.Count}).", nameof(b));
        return Enumerable.Range(0, a.Count).Where(i => !double.IsNaN(a[i]) && !double.IsNaN(b[i])).Select(i => (a[i], b[i])).ToList();
    }

    static double Mean(double[] values, IReadOnlyList<int> indices)
    {
        var sum = 0.0;
        foreach (var i in indices) sum += values[i];
        return sum / indices.Count;
    }

    /// <summary>Percentile interval with linear interpolation between order statistics (numpy's default).</summary>
    public static (double Low, double High) PercentileInterval(double[] values, double confidence = 0.95)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0) return (double.NaN, double.NaN);
        var alpha = (1 - confidence) / 2;
        return (Percentile(sorted, alpha), Percentile(sorted, 1 - alpha));
    }

    /// <summary>The <paramref name="q"/>-quantile (0..1) of sorted values, linear interpolation.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0) return double.NaN;
        var pos = q * (sorted.Count - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
