namespace RagTune.Evaluation.Compare.Statistics;

/// <summary>
/// McNemar's exact test for paired binary outcomes (McNemar 1947; exact form: a two-sided binomial test on the
/// discordant pairs). Only items one system gets right and the other wrong carry information: under the null
/// hypothesis each such item is equally likely to favour either system, so b ~ Binomial(b + c, ½).
/// </summary>
public static class McNemar
{
    /// <summary>
    /// Two-sided exact p-value from the discordant counts: <paramref name="onlyA"/> items right for A only,
    /// <paramref name="onlyB"/> right for B only. p = min(1, 2·P[X ≤ min(b, c)]), X ~ Bin(b + c, ½); 1 when b + c = 0.
    /// </summary>
    public static double ExactPValue(int onlyA, int onlyB)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(onlyA);
        ArgumentOutOfRangeException.ThrowIfNegative(onlyB);
        var n = onlyA + onlyB;
        if (n == 0) return 1.0;
        var k = Math.Min(onlyA, onlyB);
        // Sum in log space: C(n, i) / 2^n underflows doubles for n beyond ~1000.
        var tail = 0.0;
        for (var i = 0; i <= k; i++) tail += Math.Exp(LogChoose(n, i) - n * Math.Log(2));
        return Math.Min(1.0, 2 * tail);
    }

    /// <summary>The exact p-value for two per-item 0/1 score vectors (NaN items skipped).</summary>
    public static double ExactPValue(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        int onlyA = 0, onlyB = 0;
        foreach (var (x, y) in Bootstrap.Paired(a, b))
        {
            if (x >= 0.5 && y < 0.5) onlyA++;
            else if (y >= 0.5 && x < 0.5) onlyB++;
        }
        return ExactPValue(onlyA, onlyB);
    }

    /// <summary>Whether every defined value is 0 or 1 (so McNemar applies).</summary>
    public static bool IsBinary(IEnumerable<double> values) => values.Where(v => !double.IsNaN(v)).All(v => v is 0.0 or 1.0);

    static double LogChoose(int n, int k) => LogFactorial(n) - LogFactorial(k) - LogFactorial(n - k);

    static double LogFactorial(int n)
    {
        var sum = 0.0;
        for (var i = 2; i <= n; i++) sum += Math.Log(i);
        return sum;
    }
}
