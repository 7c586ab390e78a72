using System.Globalization;
using RagTune.Evaluation.Compare.Metrics;
using RagTune.Evaluation.Compare.Statistics;

namespace RagTune.Evaluation.Compare.Reports;

/// <summary>
/// Turns arms with per-item results into the report's statistics: every quality metric's value with a seeded
/// percentile bootstrap interval, for every pair of arms the paired difference with its bootstrap interval and a
/// p-value (McNemar exact for 0/1 scores, else an approximate randomization test), Holm-adjusted per metric, and a
/// verdict that calls a difference only when the adjusted p-value is below 0.05.
/// </summary>
public static class CompareReportBuilder
{
    /// <summary>Significance level after Holm's correction.</summary>
    public const double Alpha = 0.05;

    /// <summary>Metrics where lower is better.</summary>
    public static IReadOnlySet<string> LowerIsBetter { get; } = new HashSet<string> { "hallucination_rate" };

    /// <summary>Fills in quality metrics, comparisons, verdict and reference agreement of <paramref name="draft"/>.</summary>
    public static CompareReport Complete(CompareReport draft, int resamples = Bootstrap.DefaultResamples)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var seed = draft.Seed;
        var arms = draft.Arms.Select(a => a with { Metrics = WithQuality(a, draft.MainMetric, seed, resamples) }).ToList();
        var compared = new List<string> { draft.MainMetric };
        if (arms.Any(a => a.UpdateItems.Count > 0)) compared.Add(FreshnessName(draft.MainMetric));
        var comparisons = new List<PairwiseComparison>();
        foreach (var metric in compared) comparisons.AddRange(Compare(arms, metric, draft.MainMetric, seed, resamples));
        var report = draft with { Arms = arms, Comparisons = comparisons, BootstrapResamples = resamples };
        return report with
        {
            Verdict = Verdict(report),
            ReferenceAgreement = ReferenceAgreement(report),
            Diagnosis = RetrievalDiagnosis(report),
        };
    }

    /// <summary>The name of a metric measured on the update's test set.</summary>
    public static string FreshnessName(string metric) => "freshness_" + metric;

    static Dictionary<string, MetricValue> WithQuality(ArmReport arm, string main, int seed, int resamples)
    {
        var metrics = new Dictionary<string, MetricValue>(arm.Metrics);
        foreach (var (name, values) in PerItem(arm.Items))
            metrics[name] = Summarise(values, StableSeed.Derive(seed, arm.Name, name), resamples);
        foreach (var (name, values) in PerItem(arm.UpdateItems))
            metrics[FreshnessName(name)] = Summarise(values, StableSeed.Derive(seed, arm.Name, "update", name), resamples);
        if (main == "accuracy" && arm.Items.Count > 0 && arm.Items.All(i => i.Gold is not null))
        {
            var predicted = arm.Items.Select(i => i.Prediction).ToList();
            var gold = arm.Items.Select(i => i.Gold!).ToList();
            var (lo, hi) = Bootstrap.Interval(gold.Count, idx => ClassificationMetrics.MacroF1(predicted, gold, idx), StableSeed.Derive(seed, arm.Name, "macro_f1"), resamples);
            metrics["macro_f1"] = new MetricValue(ClassificationMetrics.MacroF1(predicted, gold), lo, hi, gold.Count);
        }
        return metrics;
    }

    /// <summary>Per-item values of each metric, aligned with the items (NaN where a metric does not apply).</summary>
    public static Dictionary<string, double[]> PerItem(IReadOnlyList<ItemResult> items)
    {
        var names = items.SelectMany(i => i.Scores.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        return names.ToDictionary(n => n, n => items.Select(i => i.Scores.TryGetValue(n, out var v) ? v : double.NaN).ToArray());
    }

    static MetricValue Summarise(double[] values, int seed, int resamples)
    {
        var defined = values.Where(v => !double.IsNaN(v)).ToArray();
        if (defined.Length == 0) return new MetricValue(double.NaN, null, null, 0);
        var (lo, hi) = Bootstrap.MeanInterval(defined, seed, resamples);
        return new MetricValue(defined.Average(), lo, hi, defined.Length);
    }

    static IEnumerable<PairwiseComparison> Compare(List<ArmReport> arms, string metric, string main, int seed, int resamples)
    {
        var freshness = metric != main;
        var raw = new List<PairwiseComparison>();
        for (var i = 0; i < arms.Count; i++)
            for (var j = i + 1; j < arms.Count; j++)
            {
                var (a, b) = (arms[i], arms[j]);
                var (itemsA, itemsB) = freshness ? (a.UpdateItems, b.UpdateItems) : (a.Items, b.Items);
                if (itemsA.Count == 0 || itemsA.Count != itemsB.Count) continue;
                var va = PerItem(itemsA).GetValueOrDefault(main);
                var vb = PerItem(itemsB).GetValueOrDefault(main);
                if (va is null || vb is null) continue;
                var pairs = Bootstrap.Paired(va, vb);
                if (pairs.Count == 0) continue;
                var pairSeed = StableSeed.Derive(seed, a.Name, b.Name, metric);
                var (lo, hi) = Bootstrap.PairedMeanDifferenceInterval(va, vb, pairSeed, resamples);
                var binary = McNemar.IsBinary(va) && McNemar.IsBinary(vb);
                var p = binary ? McNemar.ExactPValue(va, vb) : PairedRandomizationTest.MeanPValue(va, vb, pairSeed, resamples);
                raw.Add(new PairwiseComparison
                {
                    A = a.Name, B = b.Name, Metric = metric, Diff = pairs.Average(x => x.A - x.B), CiLow = lo, CiHigh = hi,
                    PValue = p, Test = binary ? "mcnemar_exact" : "paired_randomization", N = pairs.Count,
                });
            }
        var adjusted = HolmCorrection.Adjust(raw.Select(c => c.PValue).ToList());
        return raw.Select((c, k) => c with { PHolm = adjusted[k], Significant = adjusted[k] < Alpha });
    }

    // Rounds away "-0.0" (a zero difference seen from the other arm).
    static string Pct(double v) => (Math.Abs(v) < 5e-4 ? 0 : 100 * v).ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>The verdict: the best arm on the main metric against every other arm, then the same after the update.</summary>
    public static string Verdict(CompareReport report)
    {
        var lines = new List<string>();
        foreach (var metric in report.Comparisons.Select(c => c.Metric).Distinct())
        {
            var ranked = report.Arms.Where(a => a.Metrics.TryGetValue(metric, out var m) && !double.IsNaN(m.Value))
                .OrderByDescending(a => a.Metrics[metric].Value).ThenBy(a => a.Name, StringComparer.Ordinal).ToList();
            if (ranked.Count == 0) continue;
            var best = ranked[0];
            var m0 = best.Metrics[metric];
            var scope = metric.StartsWith("freshness_", StringComparison.Ordinal) ? $"After the knowledge update ({m0.N ?? report.UpdateItems} questions on changed facts)" : $"On {m0.N ?? report.TestItems} test items";
            var top = ranked.TakeWhile(a => a.Metrics[metric].Value == m0.Value).Select(a => a.Name).ToList();
            lines.Add(top.Count > 1
                ? $"{scope}, {string.Join(", ", top)} share the highest {metric}: {Pct(m0.Value)} %."
                : $"{scope}, {best.Name} scores highest on {metric}: {Pct(m0.Value)} % (95% CI {Pct(m0.CiLow ?? double.NaN)}–{Pct(m0.CiHigh ?? double.NaN)}).");
            var beaten = new List<string>();
            var tied = new List<string>();
            foreach (var other in ranked.Skip(1))
            {
                if (Between(report, metric, best.Name, other.Name) is not (var c, var d, var lo, var hi)) continue;
                // The interval is per comparison, the verdict's p is Holm-adjusted over all of them: an interval that
                // excludes 0 next to "indistinguishable" is the correction at work, so both p values are shown.
                var stats = $"{Pct(d)} points, 95% CI {Pct(lo)} to {Pct(hi)} (uncorrected), {(c.Test == "mcnemar_exact" ? "McNemar exact" : "paired randomization")} " +
                            $"p = {c.PValue.ToString("G3", CultureInfo.InvariantCulture)}, Holm-adjusted p = {c.PHolm.ToString("G3", CultureInfo.InvariantCulture)}";
                if (c.Significant) beaten.Add($"{best.Name} beats {other.Name} by {stats}.");
                else tied.Add($"{best.Name} and {other.Name} are indistinguishable on this data ({stats}).");
            }
            lines.AddRange(beaten);
            lines.AddRange(tied);
            var others = report.Comparisons.Where(c => c.Metric == metric && c.Significant && c.A != best.Name && c.B != best.Name).ToList();
            if (others.Count > 0)
                lines.Add("Other significant differences: " + string.Join("; ", others.Select(c => c.Diff >= 0 ? $"{c.A} > {c.B} ({Pct(c.Diff)} points)" : $"{c.B} > {c.A} ({Pct(-c.Diff)} points)")) + ".");
        }
        if (lines.Count == 0) lines.Add("No arm could be compared (no scored items).");
        return string.Join(" ", lines);
    }

    /// <summary>
    /// The paired comparison of <paramref name="a"/> and <paramref name="b"/> on <paramref name="metric"/> (stored in either
    /// order), with its difference and interval oriented as a − b; null when the pair was not compared.
    /// </summary>
    static (PairwiseComparison Comparison, double Diff, double Low, double High)? Between(CompareReport report, string metric, string a, string b)
    {
        var c = report.Comparisons.FirstOrDefault(x => x.Metric == metric && ((x.A == a && x.B == b) || (x.A == b && x.B == a)));
        if (c is null) return null;
        return c.A == a ? (c, c.Diff, c.CiLow, c.CiHigh) : (c, -c.Diff, -c.CiHigh, -c.CiLow);
    }

    /// <summary>Recall@k from which a retrieval arm that gains nothing is said to be limited by reading, not retrieval.</summary>
    public const double FoundLine = 0.8;

    /// <summary>
    /// For every arm that reads retrieved chunks and has a closed-book twin on the same weights (rag and base; ft+rag and
    /// the model it reuses): whether it gains from retrieval, and if not, whether retrieval or reading is the limit — from
    /// its own recall@k (the passage holding the answer was retrieved) and the paired comparison with the twin.
    /// </summary>
    public static List<string> RetrievalDiagnosis(CompareReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var lines = new List<string>();
        var metric = report.MainMetric;
        foreach (var arm in report.Arms.Where(a => a.Retrieves && a.Weights is not null))
        {
            var twin = report.Arms.FirstOrDefault(a => !a.Retrieves && a.Weights == arm.Weights);
            var recall = arm.Metrics.Where(m => m.Key.StartsWith("recall@", StringComparison.Ordinal)).Select(m => (Name: m.Key, m.Value)).FirstOrDefault();
            if (twin is null || recall.Name is null || !arm.Metrics.TryGetValue(metric, out var ours) || !twin.Metrics.TryGetValue(metric, out var theirs)) continue;
            if (Between(report, metric, arm.Name, twin.Name) is not (var c, var d, var lo, var hi)) continue;
            var found = $"the passage holding the answer was among its retrieved chunks for {Pct(recall.Value.Value)} % of the questions ({recall.Name}, 95% CI {Pct(recall.Value.CiLow ?? double.NaN)}–{Pct(recall.Value.CiHigh ?? double.NaN)})";
            var versus = $"{metric} {Pct(ours.Value)} % vs {Pct(theirs.Value)} % for the same weights closed book ({twin.Name}): {Pct(d)} points, " +
                         $"95% CI {Pct(lo)} to {Pct(hi)} (uncorrected), Holm-adjusted p = {c.PHolm.ToString("G3", CultureInfo.InvariantCulture)}";
            lines.Add(c.Significant && d > 0 ? $"{arm.Name} uses what it retrieves: {found}; {versus}."
                : recall.Value.Value >= FoundLine ? $"{arm.Name}: retrieval is not the limit — {found} — but reading them brings no significant gain: {versus}."
                : $"{arm.Name} is limited by retrieval: {found} only ({versus}). Improve retrieval (mode, k, embedder, chunking) before judging what reading adds.");
        }
        return lines;
    }

    /// <summary>For every pair of arms with published numbers on the same metric: does our ordering agree?</summary>
    public static List<string> ReferenceAgreement(CompareReport report)
    {
        var result = new List<string>();
        foreach (var group in report.ReferenceResults.GroupBy(r => (r.Source, r.Metric)))
        {
            var refs = group.Where(r => report.Arms.Any(a => a.Name == r.Arm && a.Metrics.ContainsKey(r.Metric))).ToList();
            for (var i = 0; i < refs.Count; i++)
                for (var j = i + 1; j < refs.Count; j++)
                {
                    var (ra, rb) = (refs[i], refs[j]);
                    var c = Between(report, ra.Metric, ra.Arm, rb.Arm)?.Comparison;
                    var ours = report.Arms.First(a => a.Name == ra.Arm).Metrics[ra.Metric].Value - report.Arms.First(a => a.Name == rb.Arm).Metrics[ra.Metric].Value;
                    var published = ra.Value - rb.Value;
                    var sameDirection = Math.Sign(ours) == Math.Sign(published);
                    var significant = c?.Significant ?? false;
                    var what = $"{ra.Arm} vs {rb.Arm} on {ra.Metric}: published {Pct(ra.Value)} vs {Pct(rb.Value)} ({group.Key.Source}), ours {Pct(ours)} points";
                    result.Add(sameDirection && significant ? $"agrees — {what} (significant)."
                        : sameDirection ? $"same direction, not significant here — {what}."
                        : significant ? $"DISAGREES — {what} (significant in the other direction)."
                        : $"opposite direction but not significant — {what}.");
                }
        }
        return result;
    }
}
