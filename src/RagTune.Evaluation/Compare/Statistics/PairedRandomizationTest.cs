namespace RagTune.Evaluation.Compare.Statistics;

/// <summary>
/// Approximate randomization test for a paired difference of any statistic (Noreen 1989; Yeh 2000 for NLP metrics):
/// under the null hypothesis the two systems' outputs on an item are exchangeable, so each item's pair is swapped with
/// probability ½ and the statistic's difference recomputed. p = (1 + #|d*| ≥ |d|) / (1 + R). Used for metrics that are
/// not 0/1 per item (F1, ROUGE-L) or not per-item at all (macro-F1); accuracies use <see cref="McNemar"/>.
/// </summary>
public static class PairedRandomizationTest
{
    /// <summary>
    /// Two-sided p-value. <paramref name="statistic"/> computes the metric of one system from per-item picks:
    /// <c>fromA[i]</c> true means item i takes system A's output.
    /// </summary>
    public static double PValue(int itemCount, Func<bool[], double> statistic, int seed, int rounds = 2000)
    {
        ArgumentNullException.ThrowIfNull(statistic);
        if (itemCount == 0) return 1.0;
        var allA = Enumerable.Repeat(true, itemCount).ToArray();
        var allB = new bool[itemCount];
        var observed = Math.Abs(statistic(allA) - statistic(allB));
        var random = new Random(seed);
        var swap = new bool[itemCount];
        var notSwap = new bool[itemCount];
        var extreme = 0;
        for (var r = 0; r < rounds; r++)
        {
            for (var i = 0; i < itemCount; i++) { swap[i] = random.Next(2) == 0; notSwap[i] = !swap[i]; }
            // Shuffled "A" takes A where not swapped; shuffled "B" the other output.
            var d = Math.Abs(statistic(notSwap) - statistic(swap));
            if (d >= observed - 1e-12) extreme++;
        }
        return (1.0 + extreme) / (1.0 + rounds);
    }

    /// <summary>The test for per-item values whose statistic is the mean (NaN items skipped).</summary>
    public static double MeanPValue(IReadOnlyList<double> a, IReadOnlyList<double> b, int seed, int rounds = 2000)
    {
        var pairs = Bootstrap.Paired(a, b);
        return PValue(pairs.Count, pick =>
        {
            var sum = 0.0;
            for (var i = 0; i < pairs.Count; i++) sum += pick[i] ? pairs[i].A : pairs[i].B;
            return sum / pairs.Count;
        }, seed, rounds);
    }
}
