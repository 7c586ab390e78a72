namespace RagTune.Evaluation.Retrieval;

/// <summary>The retrieval measures RagTune reports, named as trec_eval / BEIR name them.</summary>
/// <param name="NdcgAt10">trec_eval <c>ndcg_cut_10</c>: graded gains, log2 discount, ideal ranking from the qrels.</param>
/// <param name="RecallAt10">trec_eval <c>recall_10</c>: relevant documents in the top 10 over all relevant ones.</param>
/// <param name="RecallAt100">trec_eval <c>recall_100</c>.</param>
/// <param name="MrrAt10">trec_eval <c>recip_rank</c> with the ranking cut at 10 (BEIR's MRR@10).</param>
public sealed record RetrievalMetrics(double NdcgAt10, double RecallAt10, double RecallAt100, double MrrAt10)
{
    /// <summary>All zeros: the value of a query with no relevant documents or one missing from the run.</summary>
    public static RetrievalMetrics Zero { get; } = new(0, 0, 0, 0);
}
