namespace RagTune.Evaluation.Retrieval;

/// <summary>The result of evaluating a run: the mean over the evaluated queries and each query's values.</summary>
/// <param name="Mean">Arithmetic mean of each measure over <paramref name="PerQuery"/> (trec_eval's "all" line).</param>
/// <param name="PerQuery">Evaluated queries in ordinal id order.</param>
/// <param name="CompleteAveraging">True when queries missing from the run were averaged in as zeros (trec_eval -c).</param>
public sealed record RetrievalEvaluation(RetrievalMetrics Mean, IReadOnlyList<QueryMetrics> PerQuery, bool CompleteAveraging)
{
    /// <summary>How many queries the mean is over.</summary>
    public int QueryCount => PerQuery.Count;
}
