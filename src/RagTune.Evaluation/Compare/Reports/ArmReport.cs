namespace RagTune.Evaluation.Compare.Reports;

/// <summary>One arm's results: description, every metric (quality with intervals, costs without), per-item answers.</summary>
public sealed record ArmReport
{
    /// <summary>Arm name as in the config (base, rag, ft-docs, …).</summary>
    public required string Name { get; init; }
    /// <summary>What the arm is, in words (model, retrieval, training data).</summary>
    public required string Description { get; init; }
    /// <summary>Metric name → value (and interval).</summary>
    public Dictionary<string, MetricValue> Metrics { get; init; } = [];
    /// <summary>Answers on the test set.</summary>
    public List<ItemResult> Items { get; init; } = [];
    /// <summary>Answers on the update's test set (after the knowledge update).</summary>
    public List<ItemResult> UpdateItems { get; init; } = [];
    /// <summary>The exact training files (empty for arms that train nothing).</summary>
    public List<TrainingFile> TrainingFiles { get; init; } = [];
    /// <summary>Whose weights answer: <c>base</c> or the trained model's kind (ft-docs, …); null in reports written before it was recorded.</summary>
    public string? Weights { get; init; }
    /// <summary>Whether the arm reads retrieved chunks (rag, ft+rag, raft; never for classification).</summary>
    public bool Retrieves { get; init; }
    /// <summary>Whether the result came from the cache of an earlier run with the same arm config.</summary>
    public bool Cached { get; init; }
    /// <summary>Hash of the arm's configuration (the cache key).</summary>
    public string ConfigHash { get; init; } = "";
}
