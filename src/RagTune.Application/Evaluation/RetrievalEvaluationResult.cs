using RagTune.Evaluation.Retrieval;

namespace RagTune.Application;

/// <summary>The trec_eval-compatible means (and per-query values), the mode retrieved in (null for a run file) and the time taken.</summary>
public sealed record RetrievalEvaluationResult(RetrievalEvaluation Evaluation, RetrievalMode? Mode, TimeSpan Elapsed);
