namespace RagTune.Evaluation.Retrieval;

/// <summary>
/// nDCG@10, recall@10/@100 and MRR@10 computed the way trec_eval 9.x computes <c>ndcg_cut</c>, <c>recall</c> and
/// <c>recip_rank</c> (usnistgov/trec_eval: m_ndcg_cut.c, m_recall.c, m_recip_rank.c, form_res_rels.c):
/// <list type="bullet">
/// <item>Each query's ranking is re-sorted by score descending, ties by document id descending (byte order, as
/// trec_eval's <c>strcmp</c>): the order of lines in a run never matters.</item>
/// <item>A document is relevant when its grade is ≥ 1 (trec_eval's default <c>-l 1</c>); unjudged documents count
/// as not relevant. nDCG gains are the grades themselves (&gt; 0 only), discounted by log2(rank + 1); the ideal
/// DCG comes from the qrels' grades sorted descending, cut at 10.</item>
/// <item>A query with no relevant documents scores 0 on every measure and still counts in the mean (trec_eval
/// evaluates every query of the qrels it has a ranking for).</item>
/// <item>Queries in the run but not in the qrels are ignored. Queries in the qrels but not in the run are skipped
/// by default (trec_eval 9.x without <c>-c</c>, and pytrec_eval/BEIR; trec_eval 10.0 stops with an error instead);
/// with <c>completeAveraging</c> they score 0 and the mean is over every qrels query (trec_eval <c>-c</c>).</item>
/// </list>
/// </summary>
public static class TrecEval
{
    /// <summary>Evaluates <paramref name="run"/> against <paramref name="qrels"/>.</summary>
    public static RetrievalEvaluation Evaluate(Qrels qrels, RetrievalRun run, bool completeAveraging = false)
    {
        ArgumentNullException.ThrowIfNull(qrels);
        ArgumentNullException.ThrowIfNull(run);
        var perQuery = new List<QueryMetrics>();
        foreach (var qid in qrels.QueryIds)
        {
            var judged = qrels.For(qid)!;
            var ranking = run.For(qid);
            var relevant = judged.Values.Count(g => g >= 1);
            if (ranking is null)
            {
                if (completeAveraging) perQuery.Add(new QueryMetrics(qid, RetrievalMetrics.Zero, relevant, InRun: false));
                continue;
            }
            perQuery.Add(new QueryMetrics(qid, EvaluateQuery(judged, ranking), relevant, InRun: true));
        }
        return new RetrievalEvaluation(Mean(perQuery), perQuery, completeAveraging);
    }

    /// <summary>The measures of one query from its judgements and its (unsorted) ranking.</summary>
    public static RetrievalMetrics EvaluateQuery(IReadOnlyDictionary<string, int> judged, IReadOnlyList<RankedDocument> ranking)
    {
        ArgumentNullException.ThrowIfNull(judged);
        ArgumentNullException.ThrowIfNull(ranking);
        var sorted = ranking.ToArray();
        Array.Sort(sorted, TrecOrder);
        var grades = sorted.Select(d => judged.TryGetValue(d.DocId, out var g) ? g : 0).ToArray();
        var relevant = judged.Values.Count(g => g >= 1);

        double dcg = 0;
        for (var i = 0; i < Math.Min(10, grades.Length); i++)
            if (grades[i] > 0) dcg += grades[i] / Math.Log2(i + 2);
        var ideal = judged.Values.Where(g => g > 0).OrderDescending().Take(10).Select((g, i) => g / Math.Log2(i + 2)).Sum();
        // trec_eval leaves DCG undivided when the ideal is 0; DCG is then 0 too (no positive grades exist).
        var ndcg = ideal > 0 ? dcg / ideal : 0;

        double RecallAt(int k) => relevant == 0 ? 0 : grades.Take(k).Count(g => g >= 1) / (double)relevant;

        var firstRelevant = Array.FindIndex(grades, g => g >= 1);
        var mrr = firstRelevant is >= 0 and < 10 ? 1.0 / (firstRelevant + 1) : 0;
        return new RetrievalMetrics(ndcg, RecallAt(10), RecallAt(100), mrr);
    }

    /// <summary>trec_eval's ranking order (form_res_rels.c, comp_sim_docno): score descending, then document id
    /// descending by bytes — so among tied scores "d9" ranks above "d10".</summary>
    public static int TrecOrder(RankedDocument a, RankedDocument b)
    {
        var byScore = b.Score.CompareTo(a.Score);
        return byScore != 0 ? byScore : CompareUtf8(b.DocId, a.DocId);
    }

    // strcmp compares UTF-8 bytes; ordinal UTF-16 comparison differs from it only for surrogate pairs vs U+E000–U+FFFF.
    static int CompareUtf8(string x, string y)
    {
        var bx = System.Text.Encoding.UTF8.GetBytes(x);
        var by = System.Text.Encoding.UTF8.GetBytes(y);
        return bx.AsSpan().SequenceCompareTo(by);
    }

    static RetrievalMetrics Mean(List<QueryMetrics> perQuery)
    {
        if (perQuery.Count == 0) return RetrievalMetrics.Zero;
        double n = perQuery.Count;
        return new RetrievalMetrics(
            perQuery.Sum(q => q.Metrics.NdcgAt10) / n,
            perQuery.Sum(q => q.Metrics.RecallAt10) / n,
            perQuery.Sum(q => q.Metrics.RecallAt100) / n,
            perQuery.Sum(q => q.Metrics.MrrAt10) / n);
    }
}
