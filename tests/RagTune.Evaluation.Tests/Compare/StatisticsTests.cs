using RagTune.Evaluation.Compare.Statistics;

namespace RagTune.Evaluation.Tests.Compare;

public class StatisticsTests
{
    [Theory]
    // Exact binomial by hand: n = b + c discordant pairs, p = 2 · Σ_{i ≤ min(b,c)} C(n,i) / 2^n.
    [InlineData(1, 9, 22.0 / 1024)]          // (C(10,0) + C(10,1)) · 2 / 1024
    [InlineData(9, 1, 22.0 / 1024)]          // symmetric
    [InlineData(3, 5, 186.0 / 256)]          // (1 + 8 + 28 + 56) · 2 / 256
    [InlineData(0, 6, 2.0 / 64)]             // 2 / 2^6
    [InlineData(4, 4, 1.0)]                  // capped at 1
    [InlineData(0, 0, 1.0)]                  // no discordant pairs: no evidence
    public void McNemarExact_MatchesTheBinomialComputedByHand(int onlyA, int onlyB, double expected) =>
        Assert.Equal(expected, McNemar.ExactPValue(onlyA, onlyB), 12);

    [Fact]
    public void McNemar_FromScoreVectors_CountsOnlyDiscordantPairs()
    {
        // 2×2 table: both right 5, A only 1, B only 9, both wrong 3 (items in any order).
        var a = new List<double>();
        var b = new List<double>();
        void Add(int n, double x, double y) { for (var i = 0; i < n; i++) { a.Add(x); b.Add(y); } }
        Add(5, 1, 1); Add(1, 1, 0); Add(9, 0, 1); Add(3, 0, 0);
        Assert.Equal(22.0 / 1024, McNemar.ExactPValue(a, b), 12);
        Assert.True(McNemar.IsBinary(a));
        Assert.False(McNemar.IsBinary([0.5, 1]));
    }

    [Fact]
    public void McNemar_StaysFiniteForLargeTables()
    {
        var p = McNemar.ExactPValue(400, 600);
        Assert.InRange(p, 1e-12, 1e-8);   // z ≈ 6.3 ⇒ two-sided normal tail ≈ 3e-10
    }

    [Fact]
    public void Holm_MatchesTheTextbookStepDown()
    {
        // Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → running max 0.06.
        var adjusted = HolmCorrection.Adjust([0.01, 0.04, 0.03, 0.005]);
        Assert.Equal([0.03, 0.06, 0.06, 0.02], adjusted.Select(x => Math.Round(x, 12)));
        Assert.Equal([1.0, 1.0], HolmCorrection.Adjust([0.6, 0.7]));
    }

    [Fact]
    public void PercentileBootstrap_CoversTheTrueMeanAbout95PercentOfTheTime()
    {
        const double truth = 0.3;
        const int simulations = 400, n = 80;
        var covered = 0;
        for (var s = 0; s < simulations; s++)
        {
            var random = new Random(1000 + s);
            var sample = Enumerable.Range(0, n).Select(_ => random.NextDouble() < truth ? 1.0 : 0.0).ToArray();
            var (lo, hi) = Bootstrap.MeanInterval(sample, seed: s, resamples: 1000);
            if (lo <= truth && truth <= hi) covered++;
        }
        var coverage = (double)covered / simulations;
        // Binomial noise over 400 simulations is ±2.2 points; the percentile interval runs slightly narrow at n = 80.
        Assert.InRange(coverage, 0.90, 0.98);
    }

    [Fact]
    public void Bootstrap_IsSeededAndPairedDifferencesOfIdenticalArmsAreZero()
    {
        var values = Enumerable.Range(0, 50).Select(i => (double)(i % 3 == 0 ? 1 : 0)).ToArray();
        Assert.Equal(Bootstrap.MeanInterval(values, 5), Bootstrap.MeanInterval(values, 5));
        Assert.NotEqual(Bootstrap.MeanInterval(values, 5), Bootstrap.MeanInterval(values, 6));
        Assert.Equal((0.0, 0.0), Bootstrap.PairedMeanDifferenceInterval(values, values, 1));
        Assert.Equal(0.5, Bootstrap.Percentile([0.0, 1.0], 0.5), 12);   // linear interpolation, as numpy
    }

    [Fact]
    public void RandomizationTest_FindsAClearDifferenceAndNoneBetweenEqualArms()
    {
        var a = Enumerable.Repeat(1.0, 30).ToArray();
        var b = Enumerable.Repeat(0.0, 30).ToArray();
        Assert.True(PairedRandomizationTest.MeanPValue(a, b, 3) < 0.001);
        Assert.Equal(1.0, PairedRandomizationTest.MeanPValue(a, a, 3));
    }
}
