using System.Globalization;
using RagTune.Evaluation.Retrieval;
using RagTune.Tests;

namespace RagTune.Evaluation.Tests.Retrieval;

/// <summary>Every per-query and mean value against the real trec_eval 10.0 output (tests/data/trec_eval/README.md).</summary>
public class TrecEvalParityTests
{
    static string Fixture(string name) => Path.Combine(TestPaths.Data, "trec_eval", name);

    /// <summary>trec_eval -q lines: measure, qid (or "all"), value printed with 4 decimals.</summary>
    static Dictionary<(string Measure, string Qid), double> ReadTrecEval(params string[] files) =>
        files.SelectMany(f => File.ReadLines(Fixture(f)))
            .Select(l => l.Split('\t', StringSplitOptions.TrimEntries))
            .ToDictionary(p => (p[0], p[1]), p => double.Parse(p[2], CultureInfo.InvariantCulture));

    [Theory]
    [InlineData(false, "default.txt", "default_rr10.txt")]
    [InlineData(true, "complete.txt", "complete_rr10.txt")]
    public void MatchesTrecEvalPerQueryAndOnAverage(bool complete, string measures, string reciprocalRank)
    {
        var expected = ReadTrecEval(measures, reciprocalRank);
        var result = TrecEval.Evaluate(Qrels.Load(Fixture("qrels.tsv")), RetrievalRun.Load(Fixture("run.tsv")), complete);

        var rows = result.PerQuery.Select(q => (q.QueryId, q.Metrics)).Append(("all", result.Mean)).ToList();
        Assert.Equal(expected.Keys.Select(k => k.Qid).Distinct().Order(StringComparer.Ordinal), rows.Select(r => r.Item1).Order(StringComparer.Ordinal));
        var checkedValues = 0;
        foreach (var (qid, m) in rows)
        {
            foreach (var (measure, actual) in new[] { ("ndcg_cut_10", m.NdcgAt10), ("recall_10", m.RecallAt10), ("recall_100", m.RecallAt100), ("recip_rank", m.MrrAt10) })
            {
                // trec_eval prints 4 decimals; it omits nothing, so every (measure, query) must be present.
                Assert.True(expected.TryGetValue((measure, qid), out var want), $"trec_eval has no {measure} for {qid}");
                Assert.True(Math.Abs(want - actual) <= 5e-5, $"{measure} {qid}: trec_eval {want:F4}, ours {actual:F6}");
                checkedValues++;
            }
        }
        Assert.True(checkedValues > 100);
    }
}
