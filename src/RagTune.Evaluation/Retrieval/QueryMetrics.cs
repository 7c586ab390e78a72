namespace RagTune.Evaluation.Retrieval;

/// <summary>The measures of one query.</summary>
/// <param name="QueryId">The query id (as in the qrels).</param>
/// <param name="Metrics">Its measures.</param>
/// <param name="RelevantCount">Judged documents with grade ≥ 1 (trec_eval <c>num_rel</c>).</param>
/// <param name="InRun">False when the run had no line for the query (counted as zeros with complete averaging).</param>
public sealed record QueryMetrics(string QueryId, RetrievalMetrics Metrics, int RelevantCount, bool InRun);
