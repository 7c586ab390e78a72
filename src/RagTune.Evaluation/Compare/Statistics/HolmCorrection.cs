namespace RagTune.Evaluation.Compare.Statistics;

/// <summary>
/// Holm's step-down correction (Holm 1979): sort the m p-values ascending, multiply the i-th smallest (0-based) by
/// m − i, enforce monotonicity with a running maximum, cap at 1. It controls the family-wise error rate without
/// assuming independence and is uniformly more powerful than Bonferroni.
/// </summary>
public static class HolmCorrection
{
    /// <summary>Adjusted p-values in the order of <paramref name="pValues"/>.</summary>
    public static double[] Adjust(IReadOnlyList<double> pValues)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        var m = pValues.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => pValues[i]).ThenBy(i => i).ToArray();
        var adjusted = new double[m];
        var running = 0.0;
        for (var rank = 0; rank < m; rank++)
        {
            var i = order[rank];
            running = Math.Max(running, Math.Min(1.0, (m - rank) * pValues[i]));
            adjusted[i] = running;
        }
        return adjusted;
    }
}
