namespace RagTune.Evaluation.Comparison;

/// <summary>
/// How one way of answering did in the demo: exact-match accuracy on every question before the knowledge update,
/// on the changed facts after it (and how often it still gave the old value), retrieval recall, latency and the
/// training it needed.
/// </summary>
public sealed record DemoSystemResult
{
    /// <summary><c>base</c>, <c>rag</c>, <c>fine-tuned</c> or <c>fine-tuned+rag</c>.</summary>
    public required string Name { get; init; }

    /// <summary>What answers and from what (model, retriever, context).</summary>
    public required string Description { get; init; }

    /// <summary>Exact-match accuracy over all questions, before the update.</summary>
    public required double Accuracy { get; init; }

    /// <summary>Exact-match accuracy on the changed facts (new values) after the update.</summary>
    public required double UpdatedAccuracy { get; init; }

    /// <summary>Share of the changed facts still answered with the old value after the update.</summary>
    public required double StaleRate { get; init; }

    /// <summary>Recall@k of the retriever (a top-k chunk states the fact), or null without retrieval.</summary>
    public double? RetrievalRecall { get; init; }

    /// <summary>Mean milliseconds per question (retrieval + generation).</summary>
    public required double MeanLatencyMs { get; init; }

    /// <summary>95th percentile milliseconds per question.</summary>
    public required double P95LatencyMs { get; init; }

    /// <summary>Seconds of training this system needs beyond the base model (fine-tuning), 0 for none.</summary>
    public required double TrainingSeconds { get; init; }

    /// <summary>Seconds to take in the knowledge update (re-ingest), or null when only re-training would.</summary>
    public double? UpdateSeconds { get; init; }
}
