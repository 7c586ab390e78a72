using RagTune.Evaluation.Retrieval;

namespace RagTune.Evaluation.Tests.Retrieval;

/// <summary>Hand-computed cases; each expected number is derived in the comment above it.</summary>
public class TrecEvalTests
{
    const double Tol = 1e-9;

    static Qrels MakeQrels() => new(new Dictionary<string, IReadOnlyDictionary<string, int>>
    {
        // q1: graded; 4 relevant (grade ≥ 1): d1, d2, d4, d5. d3 judged not relevant.
        ["q1"] = new Dictionary<string, int> { ["d1"] = 3, ["d2"] = 2, ["d3"] = 0, ["d4"] = 1, ["d5"] = 2 },
        // q2: judged, but nothing relevant.
        ["q2"] = new Dictionary<string, int> { ["d1"] = 0, ["d2"] = 0 },
        // q3: never retrieved (absent from the run).
        ["q3"] = new Dictionary<string, int> { ["d7"] = 1 },
        // q4: its only relevant document comes 11th.
        ["q4"] = new Dictionary<string, int> { ["r"] = 1 },
    });

    static RetrievalRun MakeRun()
    {
        var run = new RetrievalRun();
        // Lines deliberately out of order; "dX" and "d9" are not in the qrels (unjudged → not relevant).
        run.Add("q1", "d2", 0.5);
        run.Add("q1", "d9", 0.1);
        run.Add("q1", "d1", 0.8);
        run.Add("q1", "d3", 0.9);
        run.Add("q1", "d4", 0.5);
        run.Add("q1", "dX", 0.8);
        run.Add("q2", "d1", 1.0);
        for (var i = 0; i < 10; i++) run.Add("q4", $"n{i}", 10 - i);
        run.Add("q4", "r", 0);
        run.Add("q9", "d1", 1.0); // not in the qrels: ignored
        return run;
    }

    [Fact]
    public void GradedRelevanceWithTiesMatchesTrecEval()
    {
        var m = TrecEval.EvaluateQuery(MakeQrels().For("q1")!, MakeRun().For("q1")!);
        // trec_eval order: score desc, ties by docid desc (strcmp): 0.9 d3 | 0.8 dX ('X' 0x58 > '1') then d1 |
        // 0.5 d4 then d2 | 0.1 d9. Grades by rank: 0, 0, 3, 1, 2, 0.
        // DCG@10 = 3/log2(4) + 1/log2(5) + 2/log2(6) = 1.5 + 0.4306766 + 0.7737056 = 2.7043822
        // IDCG@10 (grades 3,2,2,1) = 3/1 + 2/log2(3) + 2/log2(4) + 1/log2(5) = 3 + 1.2618595 + 1 + 0.4306766 = 5.6925361
        // nDCG@10 = 2.7043822 / 5.6925361 = 0.4750751
        Assert.Equal(0.4750751056400577, m.NdcgAt10, Tol);
        // 3 of the 4 relevant (d1, d4, d2) retrieved; d5 never.
        Assert.Equal(0.75, m.RecallAt10, Tol);
        Assert.Equal(0.75, m.RecallAt100, Tol);
        // First relevant (d1) at rank 3.
        Assert.Equal(1.0 / 3, m.MrrAt10, Tol);
    }

    [Fact]
    public void QueryWithoutRelevantDocumentsScoresZero()
    {
        var m = TrecEval.EvaluateQuery(MakeQrels().For("q2")!, MakeRun().For("q2")!);
        Assert.Equal(RetrievalMetrics.Zero, m);
    }

    [Fact]
    public void ReciprocalRankIsCutAt10ButRecallAt100SeesRank11()
    {
        var m = TrecEval.EvaluateQuery(MakeQrels().For("q4")!, MakeRun().For("q4")!);
        // "r" is 11th: outside the nDCG, recall@10 and MRR@10 cut, inside recall@100.
        Assert.Equal(new RetrievalMetrics(0, 0, 1, 0), m);
    }

    [Fact]
    public void MeanSkipsQueriesMissingFromTheRunByDefault()
    {
        var e = TrecEval.Evaluate(MakeQrels(), MakeRun());
        // Evaluated: q1, q2, q4 (q3 not in the run; q9 not in the qrels).
        Assert.Equal(["q1", "q2", "q4"], e.PerQuery.Select(q => q.QueryId));
        // nDCG = 0.4750751 / 3; recall@10 = 0.75 / 3; recall@100 = (0.75 + 0 + 1) / 3; MRR = (1/3) / 3
        Assert.Equal(0.4750751056400577 / 3, e.Mean.NdcgAt10, Tol);
        Assert.Equal(0.25, e.Mean.RecallAt10, Tol);
        Assert.Equal(1.75 / 3, e.Mean.RecallAt100, Tol);
        Assert.Equal(1.0 / 9, e.Mean.MrrAt10, Tol);
    }

    [Fact]
    public void CompleteAveragingCountsMissingQueriesAsZero()
    {
        var e = TrecEval.Evaluate(MakeQrels(), MakeRun(), completeAveraging: true);
        // As trec_eval -c: q3 contributes zeros and the denominator is all 4 qrels queries.
        Assert.Equal(4, e.QueryCount);
        Assert.False(e.PerQuery.Single(q => q.QueryId == "q3").InRun);
        Assert.Equal(0.4750751056400577 / 4, e.Mean.NdcgAt10, Tol);
        Assert.Equal(0.75 / 4, e.Mean.RecallAt10, Tol);
        Assert.Equal(1.75 / 4, e.Mean.RecallAt100, Tol);
        Assert.Equal(1.0 / 12, e.Mean.MrrAt10, Tol);
    }

    [Fact]
    public void TiedScoresRankByDocIdDescendingBytewise()
    {
        // strcmp("d9", "d10") > 0, so with equal scores d9 ranks first and the relevant d10 second: RR = 1/2.
        var judged = new Dictionary<string, int> { ["d10"] = 1 };
        var m = TrecEval.EvaluateQuery(judged, [new("d10", 1.0), new("d9", 1.0)]);
        Assert.Equal(0.5, m.MrrAt10, Tol);
        // nDCG = (1/log2(3)) / 1 = 0.6309298
        Assert.Equal(1 / Math.Log2(3), m.NdcgAt10, Tol);
    }

    [Fact]
    public void IdealRankingIsCutAt10()
    {
        // 12 relevant documents of grade 1, the top 10 retrieved are all relevant: DCG@10 = IDCG@10 → nDCG = 1,
        // while recall@10 = 10/12.
        var judged = Enumerable.Range(0, 12).ToDictionary(i => $"d{i:00}", _ => 1);
        var ranking = Enumerable.Range(0, 10).Select(i => new RankedDocument($"d{i:00}", 100 - i)).ToList();
        var m = TrecEval.EvaluateQuery(judged, ranking);
        Assert.Equal(1.0, m.NdcgAt10, Tol);
        Assert.Equal(10.0 / 12, m.RecallAt10, Tol);
        Assert.Equal(1.0, m.MrrAt10, Tol);
    }
}
